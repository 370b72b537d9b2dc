import type { ExportQueue } from '../../../shared/queue/exportQueue';
import type { QueueEnvelope } from '../../../shared/queue/envelope';

/** Records what the worker re-enqueues (message and visibility delay). */
export function createFakeQueue() {
  const sent: { message: QueueEnvelope; delaySeconds: number }[] = [];
  const queue: ExportQueue & { sent: typeof sent } = {
    sent,
    async send(message, options = {}) {
      sent.push({ message, delaySeconds: options.delaySeconds ?? 0 });
    },
  };
  return queue;
}
