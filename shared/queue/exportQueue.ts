import type { AppConfig } from '../config/config';
import type { StorageClients } from '../storage/clients';
import { encodeEnvelope, type QueueEnvelope } from './envelope';

export interface ExportQueue {
  /** Sends one envelope; `delaySeconds` keeps it invisible that long (max 7 days). */
  send(message: QueueEnvelope, options?: { delaySeconds?: number }): Promise<void>;
}

export function createExportQueue(config: AppConfig, storage: StorageClients): ExportQueue {
  let ensured: Promise<unknown> | undefined;
  return {
    async send(message, options = {}) {
      const queue = storage.queue(config.EXPORT_QUEUE_NAME);
      ensured ??= queue.createIfNotExists();
      await ensured;
      const delay = Math.min(Math.max(0, Math.ceil(options.delaySeconds ?? 0)), 7 * 24 * 3600 - 1);
      await queue.sendMessage(encodeEnvelope(message), { visibilityTimeout: delay || undefined });
    },
  };
}
