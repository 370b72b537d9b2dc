import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import {
  deliverWebhookMessageSchema,
  parseEnvelope,
  type DeliverWebhookMessage,
} from '../../shared/queue/envelope';
import type { Services } from '../../shared/services';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Status codes to answer, in order; then 204. */
  answers: number[];
  stop(): Promise<void>;
}

/** A real HTTP receiver on loopback that records what it is sent. */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const answers: number[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = answers.shift() ?? 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answers,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Takes every visible message off the app's webhook queue and delivers it, as the queue trigger would. */
export async function drainWebhookQueue(services: Services): Promise<number> {
  const client = services.storage.queue(services.config.WEBHOOK_QUEUE_NAME);
  await client.createIfNotExists();
  let total = 0;
  for (;;) {
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return total;
    for (const item of receivedMessageItems) {
      const parsed = parseEnvelope<DeliverWebhookMessage>(item.messageText, deliverWebhookMessageSchema);
      if (!parsed.ok) throw new Error(parsed.reason);
      await services.webhookDeliverer.deliver(parsed.message);
      await client.deleteMessage(item.messageId, item.popReceipt);
    }
    total += receivedMessageItems.length;
  }
}

/** The CloudEvents a receiver got, each verified with the `standardwebhooks` library. */
export function verifiedEvents(receiver: Receiver, secret: string): Record<string, unknown>[] {
  return receiver.received.map(
    ({ headers, body }) =>
      new StandardWebhook(secret).verify(body, headers as Record<string, string>) as Record<string, unknown>,
  );
}
