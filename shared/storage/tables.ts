import type { TableClient } from '@azure/data-tables';
import type { StorageClients } from './clients';

/** HTTP status of an Azure SDK error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { statusCode?: number }).statusCode
    : undefined;
}

export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  const status = statusOf(error);
  return status !== undefined && statuses.includes(status);
}

const created = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client (an existing table is fine); a failure is retried on the next call. */
export function ensureTable(table: TableClient): Promise<void> {
  let pending = created.get(table);
  if (!pending) {
    pending = table.createTable().catch((error: unknown) => {
      if (hasStatus(error, 409)) return;
      created.delete(table);
      throw error;
    });
    created.set(table, pending);
  }
  return pending;
}

/** A table client whose table is created on first use. */
export function ensuredTable(table: () => TableClient): () => Promise<TableClient> {
  return async () => {
    const client = table();
    await ensureTable(client);
    return client;
  };
}

export const lazyTable = (storage: Pick<StorageClients, 'table'>, name: string) =>
  ensuredTable(() => storage.table(name));

/** Runs `attempt` again (up to `times`) while it fails with 412 (ETag mismatch) or 409. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, times = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i + 1 >= times || !hasStatus(error, 412, 409)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (i + 1)));
    }
  }
}

/** Table keys may not hold / \ # ? or control characters; URI-encoding removes them all. */
export const tableKey = (value: string): string => encodeURIComponent(value);
