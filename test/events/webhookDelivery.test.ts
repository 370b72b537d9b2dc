import { randomUUID } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { AppConfig } from '../../shared/config/config';
import { createDeliveryStore } from '../../shared/events/deliveryStore';
import { createEventPublisher } from '../../shared/events/eventPublisher';
import { createEventStore } from '../../shared/events/eventStore';
import { createWebhookDeliverer } from '../../shared/events/webhookDeliverer';
import { webhookSecretName } from '../../shared/events/webhookSecret';
import { createWebhookSender } from '../../shared/events/webhookSender';
import { newSigningSecret } from '../../shared/events/webhookSignature';
import { createWebhookStore, type Webhook } from '../../shared/events/webhookStore';
import { silentLogger } from '../../shared/logging/logger';
import {
  deliverWebhookMessageSchema,
  parseEnvelope,
  type DeliverWebhookMessage,
} from '../../shared/queue/envelope';
import { createQueueSender } from '../../shared/queue/exportQueue';
import { createLocalSecretStore } from '../../shared/secrets/localSecretStore';
import { createStorageClients, type StorageClients } from '../../shared/storage/clients';
import { lazyTable } from '../../shared/storage/tables';
import { sharedStorage } from '../support/sharedAzurite';
import { startReceiver, type Receiver } from './support';

let storage: StorageClients;
let stopStorage: () => Promise<void>;
let receiver: Receiver;

beforeAll(async () => {
  const shared = await sharedStorage();
  stopStorage = shared.stop;
  storage = createStorageClients({ AzureWebJobsStorage: shared.connectionString } as AppConfig);
});
afterAll(async () => stopStorage());
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => receiver.stop());

/** Publisher and deliverer over real tables, a real queue and a real receiver; the clock is moved by hand. */
function world() {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
  const clock = {
    time: new Date('2026-12-01T10:00:00Z'),
    now() {
      return this.time;
    },
  };
  const webhooks = createWebhookStore(lazyTable(storage, `webhooks${suffix}`));
  const events = createEventStore(lazyTable(storage, `events${suffix}`));
  const deliveries = createDeliveryStore(lazyTable(storage, `deliveries${suffix}`));
  const secrets = createLocalSecretStore(storage.table(`secrets${suffix}`), {
    key: Buffer.alloc(32, 7).toString('base64'),
  });
  const queueName = `hooks-${suffix}`;
  const queue = createQueueSender(storage, queueName, deliverWebhookMessageSchema);
  const publisher = createEventPublisher({
    webhooks,
    events,
    deliveries,
    queue,
    clock,
    source: 'https://app.example',
    logger: silentLogger,
  });
  const deliverer = createWebhookDeliverer({
    webhooks,
    events,
    deliveries,
    secrets,
    queue,
    clock,
    logger: silentLogger,
    sender: createWebhookSender({ inAzure: false }),
    publisher: () => publisher,
    random: () => 0,
  });
  async function subscribe(
    url: string,
    types: Webhook['events'],
  ): Promise<{ webhook: Webhook; secret: string }> {
    const webhook: Webhook = {
      id: randomUUID(),
      url,
      events: types,
      description: 'test',
      enabled: true,
      createdAt: clock.now().toISOString(),
      createdBy: 'alice',
    };
    const secret = newSigningSecret();
    await secrets.set(webhookSecretName(webhook.id), secret);
    await webhooks.create(webhook);
    return { webhook, secret };
  }
  /** Takes every visible message off the queue and delivers it, as the queue trigger would. */
  async function drain(): Promise<number> {
    const client = storage.queue(queueName);
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
    for (const item of receivedMessageItems) {
      const parsed = parseEnvelope<DeliverWebhookMessage>(item.messageText, deliverWebhookMessageSchema);
      if (!parsed.ok) throw new Error(parsed.reason);
      await deliverer.deliver(parsed.message);
      await client.deleteMessage(item.messageId, item.popReceipt);
    }
    return receivedMessageItems.length;
  }
  /** The messages waiting out a retry delay (invisible), then made visible by clearing and re-sending. */
  async function pending(): Promise<number> {
    return (await storage.queue(queueName).getProperties()).approximateMessagesCount ?? 0;
  }
  return { clock, webhooks, deliveries, publisher, deliverer, subscribe, drain, pending, queueName };
}

it('delivers a signed CloudEvent that verifies with the standardwebhooks library', async () => {
  const w = world();
  w.clock.time = new Date(); // receivers refuse timestamps more than 5 minutes away from their clock
  const { webhook, secret } = await w.subscribe(receiver.url, ['run.succeeded']);
  await w.publisher.publish({ type: 'run.failed', subject: 'exp-1', data: { runId: 'r-0' } }); // not subscribed
  await w.publisher.publish({
    type: 'run.succeeded',
    subject: 'exp-1',
    data: { runId: 'r-1', sent: 246_140, message: 'Sent.' },
  });
  expect(await w.drain()).toBe(1);

  expect(receiver.received).toHaveLength(1);
  const { headers, body } = receiver.received[0];
  expect(headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
  const verified = new StandardWebhook(secret).verify(body, headers as Record<string, string>) as Record<
    string,
    unknown
  >;
  expect(verified).toMatchObject({
    specversion: '1.0',
    id: headers['webhook-id'],
    source: 'https://app.example',
    type: 'rollworks.export.run.succeeded',
    subject: 'exp-1',
    time: w.clock.time.toISOString(),
    data: { runId: 'r-1', sent: 246_140, message: 'Sent.' },
  });
  const [delivery] = await w.deliveries.latest(webhook.id, 10);
  expect(delivery).toMatchObject({
    state: 'delivered',
    attempts: 1,
    lastStatus: '204',
    type: 'rollworks.export.run.succeeded',
  });
});

it('retries after 500s, from the queue with a delay, and delivers on the third try', async () => {
  const w = world();
  const { webhook } = await w.subscribe(receiver.url, ['run.failed']);
  receiver.answers.push(500, 500);
  await w.publisher.publish({ type: 'run.failed', subject: 'exp-1', data: { runId: 'r-1' } });
  expect(await w.drain()).toBe(1);
  expect((await w.deliveries.latest(webhook.id, 1))[0]).toMatchObject({
    state: 'pending',
    attempts: 1,
    lastStatus: '500',
  });
  expect(await w.drain()).toBe(0); // the retry waits out its delay, invisible
  expect(await w.pending()).toBe(1);

  // the queue makes it visible again after the delay; here the test hands it over at once
  for (let attempt = 2; attempt <= 3; attempt++) {
    const [delivery] = await w.deliveries.latest(webhook.id, 1);
    w.clock.time = new Date(delivery.nextAttemptAt!);
    await w.deliverer.deliver({
      v: 1,
      kind: 'deliverWebhook',
      webhookId: webhook.id,
      eventId: delivery.eventId,
      createdAt: delivery.createdAt,
    });
  }
  expect(receiver.received).toHaveLength(3);
  expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1); // one id: receivers de-duplicate
  expect((await w.deliveries.latest(webhook.id, 1))[0]).toMatchObject({
    state: 'delivered',
    attempts: 3,
    lastStatus: '204',
  });
  expect((await w.webhooks.read(webhook.id))?.failingSince).toBeUndefined();
});

it('does not retry a 4xx, and a redelivered message after success sends nothing', async () => {
  const w = world();
  const { webhook } = await w.subscribe(receiver.url, ['run.failed']);
  receiver.answers.push(410);
  await w.publisher.publish({ type: 'run.failed', subject: 'exp-1', data: { runId: 'r-1' } });
  await w.drain();
  const [delivery] = await w.deliveries.latest(webhook.id, 1);
  expect(delivery).toMatchObject({ state: 'failed', attempts: 1, lastStatus: '410' });
  await w.deliverer.deliver({
    v: 1,
    kind: 'deliverWebhook',
    webhookId: webhook.id,
    eventId: delivery.eventId,
    createdAt: delivery.createdAt,
  });
  expect(receiver.received).toHaveLength(1);
});

it('disables a webhook that has failed for 3 days, and says so to the webhooks that listen for it', async () => {
  const w = world();
  const { webhook } = await w.subscribe('http://127.0.0.1:9/unreachable', ['run.failed']);
  await w.subscribe(receiver.url, ['webhook.disabled']);
  const start = w.clock.time.getTime();
  for (const day of [0, 1, 2, 3]) {
    w.clock.time = new Date(start + day * 24 * 3600_000 + 1000);
    await w.publisher.publish({ type: 'run.failed', subject: 'exp-1', data: { runId: `r-${day}` } });
    await w.drain();
    expect({ day, enabled: (await w.webhooks.read(webhook.id))?.enabled }).toEqual({ day, enabled: day < 3 });
  }
  const disabled = await w.webhooks.read(webhook.id);
  expect(disabled).toMatchObject({ enabled: false, disabledReason: 'Deliveries failed for 3 days.' });
  expect(disabled?.failingSince).toBe(new Date(start + 1000).toISOString());
  await w.drain();
  expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual([
    'rollworks.export.webhook.disabled',
  ]);
  expect(JSON.parse(receiver.received[0].body)).toMatchObject({
    subject: webhook.id,
    data: { webhookId: webhook.id },
  });
});
