import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import {
  deliverWebhookMessageSchema,
  parseEnvelope,
  type DeliverWebhookMessage,
} from '../../shared/queue/envelope';
import { createExport } from '../../functions/routes/exportRoutes';
import { startRun } from '../../functions/routes/runRoutes';
import { createWebhook } from '../../functions/routes/webhookRoutes';
import type { EventType } from '../../shared/events/eventTypes';
import type { Services } from '../../shared/services';
import { exportBody, startExportStack } from '../exports/support/exportStack';

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

/**
 * The app on Azurite and the simulator with a real receiver subscribed to `types`: runs go through the
 * real worker, and `delivered` hands over what the webhook queue holds, verified.
 */
export async function startEventStack(types: EventType[], overrides: Partial<Services> = {}) {
  const stack = await startExportStack({}, overrides);
  const receiver = await startReceiver();
  const created = await stack.call(createWebhook, {
    method: 'POST',
    path: '/api/webhooks',
    body: { url: receiver.url, events: types, description: 'Test receiver' },
  });
  const secret: string = created.body.secret;
  return {
    stack,
    receiver,
    async newExport(segments: string[], extra: Record<string, unknown> = {}): Promise<string> {
      const connection = stack.connections.add();
      const body = exportBody(connection.id, segments, extra);
      const saved = await stack.call(createExport, { method: 'POST', path: '/api/exports', body });
      if (saved.status !== 201) throw new Error(`export not created: ${JSON.stringify(saved.body)}`);
      return saved.body.id;
    },
    /** Runs the export to its end through the worker; answers the run id. */
    async run(exportId: string, body: unknown = {}): Promise<string> {
      const started = await stack.call(startRun, {
        method: 'POST',
        path: `/api/exports/${exportId}/runs`,
        params: { id: exportId },
        body,
      });
      if (started.status !== 202) throw new Error(`run not started: ${JSON.stringify(started.body)}`);
      await stack.drainQueueThroughWorker();
      await stack.services.runEvents.idle();
      return started.body.id;
    },
    /** The events delivered since the last call, signed at real time, none with personal data. */
    async delivered(): Promise<Record<string, unknown>[]> {
      await stack.services.runEvents.idle();
      stack.setNow(null); // receivers refuse timestamps more than 5 minutes off
      receiver.received.length = 0;
      await drainWebhookQueue(stack.services);
      const events = verifiedEvents(receiver, secret);
      for (const event of events) expect(JSON.stringify(event)).not.toMatch(/@|\b[a-f0-9]{32}\b/i);
      return events;
    },
    async stop() {
      await receiver.stop();
      await stack.stop();
    },
  };
}

export type EventStack = Awaited<ReturnType<typeof startEventStack>>;
