import type { IdentityRef } from './identity';

export type ConnectionAccess = 'admins' | 'adminsAndContributors';
export type ConnectionStatus = 'pendingAuthorization' | 'authorized' | 'ready' | 'reauthorizationRequired';

export interface ConnectionError {
  code: string;
  message: string;
}

/** A connection to a destination (an ad platform account) as admins see it (never any secret). */
export interface Connection {
  id: string;
  /** The destination's type (`rollworks`, the only one connections are created for). */
  type: string;
  displayName: string;
  access: ConnectionAccess;
  status: ConnectionStatus;
  consent: { by: IdentityRef; at: string };
  /** The destination account the sign-in belongs to (the API field keeps its first name). */
  rollworks: { organizationId: string; organizationName: string } | null;
  exportUser: IdentityRef | null;
  /** Contract limit on profiles per segment per export; null means the system limit. */
  profileLimit: number | null;
  lastError: ConnectionError | null;
  createdAt: string;
  updatedAt: string;
}

/** Names of secrets a connection keeps in the secret store (stored names: they never change). */
export const connectionSecretNames = (connectionId: string) => ({
  tokens: `rollworks-tokens-${connectionId}`,
});

/** What the secret store holds for a connection (JSON). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** ISO time the access token expires. */
  expiresAt: string;
}
