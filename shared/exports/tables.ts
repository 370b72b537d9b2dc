import type { TableClient } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients';

/** A table client whose table is created on first use. */
export function lazyTable(storage: StorageClients, name: string): () => Promise<TableClient> {
  let ready: Promise<TableClient> | undefined;
  return () => {
    ready ??= (async () => {
      const client = storage.table(name);
      try {
        await client.createTable();
      } catch (error) {
        if (!hasStatus(error, 409)) {
          ready = undefined;
          throw error;
        }
      }
      return client;
    })();
    return ready;
  };
}

export function hasStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === status
  );
}

/** Runs `attempt` again (up to `times`) while it fails with 412 (ETag mismatch) or 409. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, times = 12): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i + 1 >= times || !(hasStatus(error, 412) || hasStatus(error, 409))) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (i + 1)));
    }
  }
}
