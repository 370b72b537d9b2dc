import type { TableClient, TransactionAction } from '@azure/data-tables';
import { hasStatus } from '../storage/tables';

/** The most entities one Table batch transaction may hold (all of one partition). */
export const MAX_BATCH = 100;

export interface EntityKey {
  partitionKey: string;
  rowKey: string;
}

/**
 * Deletes entities with batch transactions (one partition each, at most 100 entities), in the order
 * given within each partition. A batch that fails because another pass deleted one of its entities
 * first is done one by one, so a repeated or concurrent pass is harmless. Returns how many it deleted.
 */
export async function deleteEntities(table: TableClient, keys: readonly EntityKey[]): Promise<number> {
  const byPartition = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of keys) {
    const rows = byPartition.get(partitionKey) ?? [];
    rows.push(rowKey);
    byPartition.set(partitionKey, rows);
  }
  let deleted = 0;
  for (const [partitionKey, rows] of byPartition) {
    for (let start = 0; start < rows.length; start += MAX_BATCH) {
      const chunk = rows.slice(start, start + MAX_BATCH);
      deleted += await deleteChunk(table, partitionKey, chunk);
    }
  }
  return deleted;
}

async function deleteChunk(table: TableClient, partitionKey: string, rows: string[]): Promise<number> {
  if (rows.length > 1) {
    const actions: TransactionAction[] = rows.map((rowKey) => ['delete', { partitionKey, rowKey }]);
    try {
      await table.submitTransaction(actions);
      return rows.length;
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
  let deleted = 0;
  for (const rowKey of rows) {
    try {
      await table.deleteEntity(partitionKey, rowKey);
      deleted++;
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }
  return deleted;
}

/** Deletes every entity a filter selects, a page (at most 1,000 entities) at a time. */
export async function deleteWhere(table: TableClient, filter: string): Promise<number> {
  let deleted = 0;
  const pages = table
    .listEntities<EntityKey>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })
    .byPage({ maxPageSize: 1000 });
  for await (const page of pages) {
    deleted += await deleteEntities(
      table,
      page.map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey })),
    );
  }
  return deleted;
}

/** An ISO time for a table filter. */
export const isoFilterValue = (date: Date): string => date.toISOString();
