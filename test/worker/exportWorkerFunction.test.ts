import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { DEFAULT_CLIENT } from '../../dev/simulator';
import { disposeApp, startApp } from '../../shared/services';
import { startTestStack, type TestStack } from '../support/stack';
import { createWorld, makeSegment, type World } from './workerWorld';

const SEGMENT = 'newsletter';
const root = path.join(__dirname, '..', '..');

/** The registered queue functions, served by the local Functions host from a real Azurite queue. */
describe('exportWorker and exportWorkerPoison functions on the local host', () => {
  let stack: TestStack;
  let world: World;

  beforeAll(async () => {
    stack = await startTestStack({
      files: [
        path.join(root, 'functions', 'exportWorker.ts'),
        path.join(root, 'functions', 'exportWorkerPoison.ts'),
      ],
      settings: { EXPORT_QUEUE_NAME: 'export-segments' },
      queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, maxDequeueCount: 2 },
    });
    world = createWorld(
      {
        azurite: { connectionString: stack.settings.AzureWebJobsStorage },
        simulator: stack.simulator!,
        nextClientId: () => DEFAULT_CLIENT.clientId,
      },
      { segments: [SEGMENT], settings: { ROLLWORKS_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret } },
    );
    startApp(world.services);
  });
  afterAll(async () => {
    disposeApp();
    await stack?.stop();
  });

  const queue = (name: string) => new QueueClient(stack.settings.AzureWebJobsStorage, name);
  const send = async (name: string, body: unknown) => {
    await queue(name).createIfNotExists();
    await queue(name).sendMessage(
      Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)).toString('base64'),
    );
  };
  it('registers both functions on the export queue and its poison queue', () => {
    const queues = stack.host
      .describe()
      .queues.map((q: { functionName: string; queueName: string }) => [q.functionName, q.queueName]);
    expect(queues).toEqual(
      expect.arrayContaining([
        ['exportWorker', 'export-segments'],
        ['exportWorkerPoison', 'export-segments-poison'],
      ]),
    );
  });

  it('a queued message is exported by the function: one audience with exactly the right members', async () => {
    const segment = makeSegment('fn', 140, 5, 5);
    await world.writeSegment(SEGMENT, segment);
    const run = world.startRun();
    await send('export-segments', run.message());
    await stack.waitFor(
      () => world.runs.segment(run.runId, SEGMENT).status === 'succeeded',
      'the segment to succeed',
    );
    expect(world.runs.segment(run.runId, SEGMENT).counts).toMatchObject({ read: 150, valid: 140, sent: 140 });
    world.expectAudience(segment.expected);
  });

  it('a message that keeps failing ends on the poison queue and the segment is failed with the last error', async () => {
    const get = world.catalog.exportService.get;
    world.catalog.exportService.get = async () => {
      throw new Error('export store unreachable');
    };
    const run = world.startRun();
    try {
      await send('export-segments', run.message());
      await stack.waitFor(
        () => world.runs.segment(run.runId, SEGMENT).status === 'failed',
        'the poison handler',
      );
    } finally {
      world.catalog.exportService.get = get;
    }
    expect(world.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      error: { code: 'WORKER_ERROR', message: 'Error: export store unreachable' },
    });
  });

  it('a malformed message is dropped on first delivery, not retried into the poison queue', async () => {
    const before = world.logLines.length;
    await send('export-segments', { v: 1, kind: 'exportSegment', runId: 'r-1' });
    await stack.waitFor(
      () => world.logLines.length > before || stack.logs.some((l) => /malformed/.test(l)),
      'the drop',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(stack.logs.filter((l) => /export message is malformed; dropped/.test(l))).toHaveLength(1);
    expect(stack.logs.some((l) => /poison export message/.test(l))).toBe(false);
    const left = await queue('export-segments').peekMessages();
    expect(left.peekedMessageItems).toHaveLength(0);
  });
});
