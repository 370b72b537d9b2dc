import type { IdentityRef } from './identity';

export type ConnectionAccess = 'admins' | 'adminsAndContributors';
export type ConnectionStatus = 'pendingAuthorization' | 'authorized' | 'ready' | 'reauthorizationRequired';

export interface ConnectionError {
  code: string;
  message: string;
}

/** A RollWorks connection as admins see it (never any secret). */
export interface Connection {
  id: string;
  type: 'rollworks';
  displayName: string;
  access: ConnectionAccess;
  status: ConnectionStatus;
  consent: { by: IdentityRef; at: string };
  rollworks: { organizationId: string; organizationName: string } | null;
  exportUser: IdentityRef | null;
  /** Contract limit on profiles per segment per export; null means the system limit. */
  profileLimit: number | null;
  lastError: ConnectionError | null;
  createdAt: string;
  updatedAt: string;
}

/** Names of secrets a connection keeps in the secret store. */
export const connectionSecretNames = (connectionId: string) => ({
  tokens: `rollworks-tokens-${connectionId}`,
});

/** What the secret store holds for a connection (JSON). */
export interface RollWorksTokens {
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
}
