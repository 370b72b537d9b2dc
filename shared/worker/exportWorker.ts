// Placeholder until its issue lands: the real module replaces the factory below, keeping these members.
import type { Services } from '../services';
import type { Logger } from '../logging/logger';

export interface ExportWorker {
  /** Handles one queue message (already decoded by the host); `dequeueCount` from trigger metadata. */
  handle(message: unknown, meta: { dequeueCount: number; messageId: string }, logger: Logger): Promise<void>;
  /** Handles a message that exhausted its retries (from the poison queue). */
  handlePoison(message: unknown, logger: Logger): Promise<void>;
}

export function createExportWorker(_services: Services): ExportWorker {
  throw new Error('createExportWorker is not implemented yet');
}
