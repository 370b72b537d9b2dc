import type { TableClient } from '@azure/data-tables';

const created = new WeakMap<TableClient, Promise<void>>();

/** Creates the table once per client (an existing table is fine). */
export function ensureTable(table: TableClient): Promise<void> {
  let pending = created.get(table);
  if (!pending) {
    pending = table.createTable().catch((error: unknown) => {
      if (isStatus(error, 409)) return;
      created.delete(table);
      throw error;
    });
    created.set(table, pending);
  }
  return pending;
}

export function isStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    (error as { statusCode?: number }).statusCode === status
  );
}
