import type { ExportConfig } from '../../../shared/model/export';
import type { Connection } from '../../../shared/model/connection';
import type { AccessTokenProvider } from '../../../shared/destinations/destination';

export function exportConfig(
  overrides: Partial<ExportConfig> & Pick<ExportConfig, 'id' | 'segments'>,
): ExportConfig {
  return {
    displayName: 'Spring campaign',
    connectionId: 'conn-1',
    advertiserId: 'HV6KQ2XN9TBR4MZJ7CWL5D',
    advertiserName: 'Contoso Outdoor US',
    emailField: 'email',
    hashEmails: true,
    schedule: { enabled: false },
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    createdBy: { id: 'u1', name: 'Tester' },
    ...overrides,
  };
}

export function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 'conn-1',
    type: 'rollworks',
    displayName: 'RollWorks',
    access: 'admins',
    status: 'ready',
    consent: { by: { id: 'u1', name: 'Tester' }, at: '2026-01-01T00:00:00.000Z' },
    rollworks: { organizationId: 'QXR4T7ZK2MBN5WDH8CJF3P', organizationName: 'Contoso Outdoor' },
    exportUser: { id: 'u2', name: 'Export user' },
    profileLimit: null,
    lastError: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** In-memory export and connection services (the worker only reads them). */
export function createFakeCatalog(tokens: () => AccessTokenProvider) {
  const exports = new Map<string, ExportConfig>();
  const connections = new Map<string, Connection>();
  return {
    exports,
    connections,
    exportService: { get: async (id: string) => exports.get(id) ?? null },
    connectionService: {
      get: async (id: string) => connections.get(id) ?? null,
      tokenProvider: () => tokens(),
    },
  };
}
