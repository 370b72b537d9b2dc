import type { ConnectionService } from '../../../shared/connections/connectionService';
import type { Connection, ConnectionAccess, ConnectionStatus } from '../../../shared/model/connection';
import type { AccessTokenProvider } from '../../../shared/destinations/destination';

/**
 * In-memory connections (the connection service needs a full OAuth sign-in, which its own tests
 * cover). Tokens are real simulator access tokens, so RollWorks calls go over HTTP to the simulator.
 */
export function createFakeConnections(accessToken: () => string) {
  const connections = new Map<string, Connection>();
  let next = 1;
  const service = {
    async get(id: string) {
      return connections.get(id) ?? null;
    },
    tokenProvider(): AccessTokenProvider {
      return { get: async () => accessToken(), refresh: async () => accessToken() };
    },
  } as unknown as ConnectionService;

  return {
    service,
    add(
      options: {
        access?: ConnectionAccess;
        status?: ConnectionStatus;
        profileLimit?: number | null;
        displayName?: string;
      } = {},
    ): Connection {
      const id = `00000000-0000-4000-8000-${String(next++).padStart(12, '0')}`;
      const now = new Date().toISOString();
      const connection: Connection = {
        id,
        type: 'rollworks',
        displayName: options.displayName ?? `Connection ${id.slice(-2)}`,
        access: options.access ?? 'adminsAndContributors',
        status: options.status ?? 'ready',
        consent: { by: { id: 'admin-1', name: 'Ada Admin' }, at: now },
        rollworks: { organizationId: 'org', organizationName: 'Contoso Outdoor' },
        exportUser: { id: 'admin-1', name: 'Ada Admin' },
        profileLimit: options.profileLimit ?? null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      };
      connections.set(id, connection);
      return connection;
    },
    set(id: string, patch: Partial<Connection>) {
      connections.set(id, { ...connections.get(id)!, ...patch });
    },
    remove(id: string) {
      connections.delete(id);
    },
  };
}
