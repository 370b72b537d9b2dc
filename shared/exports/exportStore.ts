import type { TableClient } from '@azure/data-tables';
import type { ExportConfig } from '../model/export';
import type { StorageClients } from '../storage/clients';
import { hasStatus, lazyTable } from '../storage/tables';

export const EXPORTS_TABLE = 'exports';
const PARTITION = 'export';

interface ExportEntity {
  partitionKey: string;
  rowKey: string;
  connectionId: string;
  data: string;
}

export interface StoredExport {
  value: ExportConfig;
  etag: string;
}

/** Export configurations in Table Storage: one row per export, the configuration as JSON. */
export function createExportStore(storage: StorageClients) {
  const table: () => Promise<TableClient> = lazyTable(storage, EXPORTS_TABLE);
  const toEntity = (value: ExportConfig): ExportEntity => ({
    partitionKey: PARTITION,
    rowKey: value.id,
    connectionId: value.connectionId ?? '',
    data: JSON.stringify(value),
  });
  const fromEntity = (entity: { data?: unknown; etag?: string }): StoredExport => ({
    value: JSON.parse(String(entity.data)) as ExportConfig,
    etag: entity.etag ?? '*',
  });

  return {
    async get(id: string): Promise<StoredExport | null> {
      try {
        return fromEntity(await (await table()).getEntity<ExportEntity>(PARTITION, id));
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    },
    async list(filter?: { connectionId: string }): Promise<ExportConfig[]> {
      const client = await table();
      const conditions = [`PartitionKey eq '${PARTITION}'`];
      if (filter) conditions.push(`connectionId eq '${filter.connectionId.replace(/'/g, "''")}'`);
      const out: ExportConfig[] = [];
      for await (const entity of client.listEntities<ExportEntity>({
        queryOptions: { filter: conditions.join(' and ') },
      })) {
        out.push(fromEntity(entity).value);
      }
      return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },
    async create(value: ExportConfig): Promise<void> {
      await (await table()).createEntity(toEntity(value));
    },
    /** Replaces when the row still has `etag`; throws a 412 error otherwise. */
    async replace(value: ExportConfig, etag: string): Promise<void> {
      await (await table()).updateEntity(toEntity(value), 'Replace', { etag });
    },
    async remove(id: string): Promise<boolean> {
      try {
        await (await table()).deleteEntity(PARTITION, id);
        return true;
      } catch (error) {
        if (hasStatus(error, 404)) return false;
        throw error;
      }
    },
  };
}

export type ExportStore = ReturnType<typeof createExportStore>;
