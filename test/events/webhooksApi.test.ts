import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  testWebhook,
} from '../../functions/routes/webhookRoutes';
import { webhookSecretName } from '../../shared/events/webhookSecret';
import { WEBHOOKS_TABLE } from '../../shared/events/webhookStore';
import { createServices, startApp } from '../../shared/services';
import { startExportStack, type ExportStack } from '../exports/support/exportStack';
import { drainWebhookQueue, startReceiver, verifiedEvents, type Receiver } from './support';

let stack: ExportStack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startExportStack();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

const create = (body: unknown, as?: Parameters<ExportStack['call']>[1]['as']) =>
  stack.call(createWebhook, { method: 'POST', path: '/api/webhooks', body, as });

it('creates a webhook, answers its secret once and keeps it only in the secret store', async () => {
  const response = await create({ url: receiver.url, events: ['run.failed'], description: 'Ops' });
  expect(response.status).toBe(201);
  expect(response.body).toMatchObject({ url: receiver.url, events: ['run.failed'], enabled: true });
  expect(response.body.secret).toMatch(/^whsec_/);
  const { id, secret } = response.body;
  expect(await stack.services.secrets.get(webhookSecretName(id))).toBe(secret);
  const entity = await stack.services.storage.table(WEBHOOKS_TABLE).getEntity('webhook', id);
  expect(JSON.stringify(entity)).not.toContain(secret);

  const read = await stack.call(getWebhook, { method: 'GET', path: `/api/webhooks/${id}`, params: { id } });
  expect(read.status).toBe(200);
  expect(read.body.secret).toBeUndefined();
  const list = await stack.call(listWebhooks, { method: 'GET', path: '/api/webhooks' });
  expect(list.body.webhooks.map((w: { id: string }) => w.id)).toContain(id);
  expect(JSON.stringify(list.body)).not.toContain(secret);
});

it('is for admins only', async () => {
  const body = { url: receiver.url, events: ['run.failed'], description: 'Ops' };
  expect((await create(body, 'Exports.Contributor')).status).toBe(403);
  expect(
    (await stack.call(listWebhooks, { method: 'GET', path: '/api/webhooks', as: 'Exports.Viewer' })).status,
  ).toBe(403);
});

it('refuses unknown event types and unacceptable URLs with 422 naming the field', async () => {
  const badEvents = await create({ url: receiver.url, events: ['run.exploded'], description: 'x' });
  expect(badEvents.status).toBe(422);
  expect(JSON.stringify(badEvents.body)).toContain('events');
  const badUrl = await create({ url: 'ftp://example.com/hook', events: ['run.failed'], description: 'x' });
  expect(badUrl).toMatchObject({ status: 422, body: { field: 'url', code: 'WEBHOOK_URL_REFUSED' } });
  const remote = await create({ url: 'http://example.com/hook', events: ['run.failed'], description: 'x' });
  expect(remote.body).toMatchObject({ field: 'url' });
});

it('refuses a private-address URL with problem+json when the app runs in Azure', async () => {
  startApp(
    createServices(
      { ...stack.config, WEBSITE_SKU: 'FlexConsumption' },
      { authenticator: stack.services.authenticator, secrets: stack.services.secrets },
    ),
  );
  try {
    for (const url of ['https://10.0.0.7/hook', 'https://169.254.169.254/latest', 'http://127.0.0.1:9/x']) {
      const response = await create({ url, events: ['run.failed'], description: 'x' });
      expect({ url, status: response.status, field: response.body.field }).toEqual({
        url,
        status: 422,
        field: 'url',
      });
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
  } finally {
    startApp(stack.services);
  }
});

it('sends a signed test event, lists the delivery, and deletes the webhook with its secret and deliveries', async () => {
  const { id, secret } = (await create({ url: receiver.url, events: ['run.succeeded'], description: 'T' }))
    .body;
  const test = await stack.call(testWebhook, {
    method: 'POST',
    path: `/api/webhooks/${id}/test`,
    params: { id },
  });
  expect(test.status).toBe(202);
  receiver.received.length = 0;
  expect(await drainWebhookQueue(stack.services)).toBe(1);
  expect(verifiedEvents(receiver, secret)).toEqual([
    expect.objectContaining({ id: test.body.eventId, type: 'rollworks.export.webhook.test', subject: id }),
  ]);
  const deliveries = await stack.call(listWebhookDeliveries, {
    method: 'GET',
    path: `/api/webhooks/${id}/deliveries`,
    params: { id },
  });
  expect(deliveries.body.deliveries).toEqual([
    expect.objectContaining({
      eventId: test.body.eventId,
      type: 'rollworks.export.webhook.test',
      attempts: 1,
      state: 'delivered',
      lastStatus: '204',
    }),
  ]);

  const path = `/api/webhooks/${id}`;
  expect((await stack.call(deleteWebhook, { method: 'DELETE', path, params: { id } })).status).toBe(204);
  expect(await stack.services.secrets.get(webhookSecretName(id))).toBeUndefined();
  expect(await stack.services.eventStores.deliveries.latest(id, 10)).toEqual([]);
  expect((await stack.call(getWebhook, { method: 'GET', path, params: { id } })).status).toBe(404);
  expect(
    (await stack.call(testWebhook, { method: 'POST', path: `${path}/test`, params: { id } })).status,
  ).toBe(404);
});
