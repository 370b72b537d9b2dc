// Placeholder until its issue lands: the real module replaces this file.
export type ExportWorker = Record<string, never>;
export function createExportWorker(..._args: unknown[]): never {
  throw new Error('createExportWorker is not implemented yet');
}
