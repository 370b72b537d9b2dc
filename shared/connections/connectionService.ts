// Placeholder until its issue lands: the real module replaces the factory below, keeping these members.
import type { Services } from '../services';
import type { Connection } from '../model/connection';
import type { AccessTokenProvider } from '../rollworks/types';

export interface ConnectionService {
  get(connectionId: string): Promise<Connection | null>;
  /** Access tokens of a connection, refreshed before expiry and serialized across instances. */
  tokenProvider(connectionId: string): AccessTokenProvider;
}

export function createConnectionService(_services: Services): ConnectionService {
  throw new Error('createConnectionService is not implemented yet');
}
