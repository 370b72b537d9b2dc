import type { TableClient } from '@azure/data-tables';

/** Table keys may not hold / \ # ? or control characters; URI-encoding removes them all. */
export const tableKey = (value: string): string => encodeURIComponent(value);

export const statusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number })?.statusCode;

/** createTable once per client (it tolerates an existing table); retried after a failure. */
export function ensuredTable(table: () => TableClient): () => Promise<TableClient> {
  let ensured: Promise<void> | undefined;
  return async () => {
    ensured ??= table()
      .createTable()
      .catch((error: unknown) => {
        ensured = undefined;
        throw error;
      });
    await ensured;
    return table();
  };
}
