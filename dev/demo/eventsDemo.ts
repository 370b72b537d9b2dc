import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { loadConfig } from '../../shared/config/config';
import type { CloudEvent } from '../../shared/events/cloudEvent';
import { createServices } from '../../shared/services';
import type { ApiClient } from './apiClient';

/** A receiver on loopback that verifies each delivery's signature as a subscriber would. */
export async function startDemoReceiver() {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  let secret = '';
  return {
    url,
    async subscribe(api: ApiClient, events: string[]): Promise<{ id: string }> {
      const created = await api.expect<{ id: string; secret: string }>(201, 'POST', '/webhooks', {
        url,
        events,
        description: 'Demo receiver',
      });
      secret = created.secret;
      return created;
    },
    /** The first delivery of `type`, its signature verified with the `standardwebhooks` library. */
    async next(type: string, timeoutMs = 30_000): Promise<CloudEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = received.findIndex((r) => JSON.parse(r.body).type === `rollworks.export.${type}`);
        if (index >= 0) {
          const [delivery] = received.splice(index, 1);
          return new StandardWebhook(secret).verify(
            delivery.body,
            delivery.headers as Record<string, string>,
          ) as CloudEvent;
        }
        if (Date.now() > deadline) throw new Error(`no ${type} webhook delivery within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type DemoReceiver = Awaited<ReturnType<typeof startDemoReceiver>>;

/** Asks for the match report as the scheduler would, on a clock moved `hours` forward. */
export async function reportMatchesLater(settings: Record<string, string>, hours: number): Promise<number> {
  const later = { now: () => new Date(Date.now() + hours * 3_600_000) };
  const services = createServices(loadConfig(settings), { clock: later });
  return services.matchReports.tick();
}
