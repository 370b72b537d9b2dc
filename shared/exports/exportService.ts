// Placeholder until its issue lands: the real module replaces the factory below, keeping these members.
import type { Services } from '../services';
import type { ExportConfig } from '../model/export';

export interface ExportService {
  get(exportId: string): Promise<ExportConfig | null>;
}

export function createExportService(_services: Services): ExportService {
  throw new Error('createExportService is not implemented yet');
}
