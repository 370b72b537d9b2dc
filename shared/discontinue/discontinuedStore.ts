import type { TableClient } from '@azure/data-tables';
import { ensuredTable, statusOf, tableKey } from '../storage/tables';
import type { DiscontinuedAudience } from './schemas';

export const DISCONTINUED_TABLE = 'discontinued';

interface DiscontinuedEntity {
  partitionKey: string;
  rowKey: string;
  /** Also a column, so pending rows can be found across exports. */
  status: DiscontinuedAudience['status'];
  data: string;
}

/**
 * What became of each audience of a removed export or segment: table `discontinued`, partition the
 * export, row the segment. Ids, names and states only.
 */
export function createDiscontinuedStore(table: () => TableClient) {
  const client = ensuredTable(table);
  const keys = (exportId: string, segment: string) => ({
    partitionKey: tableKey(exportId),
    rowKey: tableKey(segment),
  });

  return {
    async save(row: DiscontinuedAudience): Promise<void> {
      const entity: DiscontinuedEntity = {
        ...keys(row.exportId, row.segment),
        status: row.status,
        data: JSON.stringify(row),
      };
      await (await client()).upsertEntity(entity, 'Replace');
    },

    async get(exportId: string, segment: string): Promise<DiscontinuedAudience | undefined> {
      const { partitionKey, rowKey } = keys(exportId, segment);
      try {
        const entity = await (await client()).getEntity<DiscontinuedEntity>(partitionKey, rowKey);
        return JSON.parse(entity.data) as DiscontinuedAudience;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    /** Every row still waiting for its deactivation, across exports. */
    async pending(): Promise<DiscontinuedAudience[]> {
      const rows: DiscontinuedAudience[] = [];
      for await (const entity of (await client()).listEntities<DiscontinuedEntity>({
        queryOptions: { filter: "status eq 'pending'" },
      })) {
        rows.push(JSON.parse(entity.data) as DiscontinuedAudience);
      }
      return rows;
    },

    /** The export's rows, newest request first. */
    async list(exportId: string): Promise<DiscontinuedAudience[]> {
      const rows: DiscontinuedAudience[] = [];
      for await (const entity of (await client()).listEntities<DiscontinuedEntity>({
        queryOptions: { filter: `PartitionKey eq '${tableKey(exportId).replace(/'/g, "''")}'` },
      })) {
        rows.push(JSON.parse(entity.data) as DiscontinuedAudience);
      }
      return rows.sort(
        (a, b) => b.requestedAt.localeCompare(a.requestedAt) || a.segment.localeCompare(b.segment),
      );
    },
  };
}

export type DiscontinuedStore = ReturnType<typeof createDiscontinuedStore>;
