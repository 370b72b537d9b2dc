// Placeholder until its issue lands: the real module replaces this file.
export type ExportService = Record<string, never>;
export function createExportService(..._args: unknown[]): never {
  throw new Error('createExportService is not implemented yet');
}
