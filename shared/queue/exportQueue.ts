import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { StorageClients } from '../storage/clients';
import { encodeEnvelope, queueEnvelopeSchema, type QueueEnvelope } from './envelope';

export interface QueueSender<T> {
  /** Sends one envelope; `delaySeconds` keeps it invisible that long (max 7 days). */
  send(message: T, options?: { delaySeconds?: number }): Promise<void>;
}

export type ExportQueue = QueueSender<QueueEnvelope>;

/** Sends envelopes of `schema` to queue `name`, created on first use. */
export function createQueueSender<T extends { v: 1; kind: string }>(
  storage: StorageClients,
  name: string,
  schema: z.ZodType<T>,
): QueueSender<T> {
  let ensured: Promise<unknown> | undefined;
  return {
    async send(message, options = {}) {
      const queue = storage.queue(name);
      ensured ??= queue.createIfNotExists();
      await ensured;
      const delay = Math.min(Math.max(0, Math.ceil(options.delaySeconds ?? 0)), 7 * 24 * 3600 - 1);
      await queue.sendMessage(encodeEnvelope(message, schema), { visibilityTimeout: delay || undefined });
    },
  };
}

export function createExportQueue(config: AppConfig, storage: StorageClients): ExportQueue {
  return createQueueSender(storage, config.EXPORT_QUEUE_NAME, queueEnvelopeSchema);
}
