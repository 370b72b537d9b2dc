import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { loadConfig } from '../../shared/config/config';
import { createServices, disposeApp, startApp, type Services } from '../../shared/services';
import { startTestStack, type TestStack } from '../support/stack';
import { startReceiver, verifiedEvents, type Receiver } from './support';

const QUEUE = 'webhook-deliveries';

/** The webhook queue function, served by the local Functions host from a real Azurite queue. */
describe('webhookDelivery function on the local host', () => {
  let stack: TestStack;
  let services: Services;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({
      files: [path.join(__dirname, '..', '..', 'functions', 'webhookDelivery.ts')],
      settings: { WEBHOOK_QUEUE_NAME: QUEUE },
      queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, maxDequeueCount: 2 },
    });
    services = createServices(loadConfig(stack.settings));
    startApp(services);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    disposeApp();
    await receiver?.stop();
    await stack?.stop();
  });

  it('listens on WEBHOOK_QUEUE_NAME', () => {
    const queues = stack.host
      .describe()
      .queues.map((q: { functionName: string; queueName: string }) => [q.functionName, q.queueName]);
    expect(queues).toContainEqual(['webhookDelivery', QUEUE]);
  });

  it('delivers a published event from the queue, signed; a malformed message is dropped', async () => {
    const queue = new QueueClient(stack.settings.AzureWebJobsStorage, QUEUE);
    await queue.createIfNotExists();
    await queue.sendMessage(Buffer.from(JSON.stringify({ v: 1, kind: 'nonsense' })).toString('base64'));
    const { secret } = await services.webhooks.create(
      { url: receiver.url, events: ['run.failed'], description: 'Function test' },
      { id: 'admin', name: 'Admin' },
    );
    await services.events.publish({ type: 'run.failed', subject: 'exp-1', data: { runId: 'run-1' } });
    await stack.waitFor(() => receiver.received.length === 1, 'the delivery');
    expect(verifiedEvents(receiver, secret)).toEqual([
      expect.objectContaining({ type: 'rollworks.export.run.failed', subject: 'exp-1' }),
    ]);
    await stack.waitFor(() => stack.logs.some((line) => /webhook message refused/.test(line)), 'the refusal');
  });
});
