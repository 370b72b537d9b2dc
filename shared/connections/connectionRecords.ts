import type { TableClient } from '@azure/data-tables';
import type { Connection, ConnectionAccess, ConnectionError, ConnectionStatus } from '../model/connection';
import type { IdentityRef } from '../model/identity';
import type { NamedEntity } from '../destinations/destination';
import { ROLLWORKS } from '../destinations/rollworks';
import { ensureTable, hasStatus } from '../storage/tables';
import { connectionIdSchema } from './schemas';

export const CONNECTIONS_TABLE = 'connections';
/** Every stored connection is a RollWorks one: the rows hold no type, and their partition is named for it. */
export const CONNECTION_TYPE = ROLLWORKS;
const PARTITION = 'rollworks';
const MAX_CONFLICT_RETRIES = 10;

/** A connection as stored: the admin view plus what its status is derived from. Never a secret. */
export interface ConnectionRecord {
  id: string;
  displayName: string;
  access: ConnectionAccess;
  consent: { by: IdentityRef; at: string };
  /** The destination account of the sign-in (columns organizationId, organizationName). */
  account: NamedEntity | null;
  exportUser: IdentityRef | null;
  profileLimit: number | null;
  /** Who completed the destination's sign-in and when; null until then. */
  authorization: { by: IdentityRef; at: string } | null;
  reauthorizationRequired: boolean;
  lastError: ConnectionError | null;
  createdAt: string;
  updatedAt: string;
}

/** The status follows from the record: authorized or not, export user or not. */
function connectionStatus(record: ConnectionRecord): ConnectionStatus {
  if (record.reauthorizationRequired) return 'reauthorizationRequired';
  if (!record.authorization) return 'pendingAuthorization';
  return record.exportUser ? 'ready' : 'authorized';
}

export function toConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    type: CONNECTION_TYPE,
    displayName: record.displayName,
    access: record.access,
    status: connectionStatus(record),
    consent: record.consent,
    rollworks: record.account && {
      organizationId: record.account.id,
      organizationName: record.account.name,
    },
    exportUser: record.exportUser,
    profileLimit: record.profileLimit,
    lastError: record.lastError,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

interface ConnectionEntity {
  partitionKey: string;
  rowKey: string;
  displayName: string;
  access: string;
  status: string;
  consentById: string;
  consentByName: string;
  consentAt: string;
  organizationId?: string;
  organizationName?: string;
  exportUserId?: string;
  exportUserName?: string;
  profileLimit?: number;
  authorizedById?: string;
  authorizedByName?: string;
  authorizedAt?: string;
  reauthorizationRequired: boolean;
  lastErrorCode?: string;
  lastErrorMessage?: string;
  createdAt: string;
  updatedAt: string;
}

function toEntity(record: ConnectionRecord): ConnectionEntity {
  return {
    partitionKey: PARTITION,
    rowKey: record.id,
    displayName: record.displayName,
    access: record.access,
    status: connectionStatus(record),
    consentById: record.consent.by.id,
    consentByName: record.consent.by.name,
    consentAt: record.consent.at,
    organizationId: record.account?.id,
    organizationName: record.account?.name,
    exportUserId: record.exportUser?.id,
    exportUserName: record.exportUser?.name,
    profileLimit: record.profileLimit ?? undefined,
    authorizedById: record.authorization?.by.id,
    authorizedByName: record.authorization?.by.name,
    authorizedAt: record.authorization?.at,
    reauthorizationRequired: record.reauthorizationRequired,
    lastErrorCode: record.lastError?.code,
    lastErrorMessage: record.lastError?.message,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function fromEntity(entity: ConnectionEntity): ConnectionRecord {
  return {
    id: entity.rowKey,
    displayName: entity.displayName,
    access: entity.access as ConnectionAccess,
    consent: { by: { id: entity.consentById, name: entity.consentByName }, at: entity.consentAt },
    account:
      entity.organizationId !== undefined
        ? { id: entity.organizationId, name: entity.organizationName ?? '' }
        : null,
    exportUser:
      entity.exportUserId !== undefined
        ? { id: entity.exportUserId, name: entity.exportUserName ?? '' }
        : null,
    profileLimit: typeof entity.profileLimit === 'number' ? entity.profileLimit : null,
    authorization:
      entity.authorizedAt !== undefined
        ? {
            by: { id: entity.authorizedById ?? '', name: entity.authorizedByName ?? '' },
            at: entity.authorizedAt,
          }
        : null,
    reauthorizationRequired: entity.reauthorizationRequired === true,
    lastError:
      entity.lastErrorCode !== undefined
        ? { code: entity.lastErrorCode, message: entity.lastErrorMessage ?? '' }
        : null,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

/** Connections in table `connections`, with ETag-checked read-modify-write. */
export function createConnectionRecords(table: TableClient) {
  const ready = () => ensureTable(table);

  async function read(id: string): Promise<{ record: ConnectionRecord; etag: string } | null> {
    if (!connectionIdSchema.safeParse(id).success) return null; // an id that cannot exist is an unknown one
    await ready();
    try {
      const entity = await table.getEntity<ConnectionEntity>(PARTITION, id);
      return { record: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (hasStatus(error, 404)) return null;
      throw error;
    }
  }

  return {
    read: async (id: string) => (await read(id))?.record ?? null,

    async insert(record: ConnectionRecord): Promise<void> {
      await ready();
      await table.createEntity(toEntity(record));
    },

    async list(): Promise<ConnectionRecord[]> {
      await ready();
      const records: ConnectionRecord[] = [];
      const entities = table.listEntities<ConnectionEntity>({
        queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
      });
      for await (const entity of entities) records.push(fromEntity(entity));
      return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    /**
     * Applies `change` to the current record and writes it if nobody changed it meanwhile (ETag),
     * re-reading and re-applying on a conflict. Null when the connection does not exist.
     */
    async update(
      id: string,
      change: (record: ConnectionRecord) => ConnectionRecord,
    ): Promise<ConnectionRecord | null> {
      for (let attempt = 0; ; attempt++) {
        const current = await read(id);
        if (!current) return null;
        const next = change(structuredClone(current.record));
        try {
          await table.updateEntity(toEntity(next), 'Replace', { etag: current.etag });
          return next;
        } catch (error) {
          if (hasStatus(error, 404)) return null;
          if (!hasStatus(error, 412) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        }
      }
    },

    async remove(id: string): Promise<void> {
      await ready();
      try {
        await table.deleteEntity(PARTITION, id);
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
    },
  };
}

export type ConnectionRecords = ReturnType<typeof createConnectionRecords>;
