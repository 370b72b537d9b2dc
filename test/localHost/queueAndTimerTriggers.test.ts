import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { startTestStack, type TestStack } from '../support/stack';
import { calls, waitForCalls } from './fixtures/probe';

const MAX_DEQUEUE_COUNT = 3;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    functionsDir: path.join(__dirname, 'fixtures', 'functions'),
    settings: { FIXTURE_QUEUE: 'fixture-echo', FIXTURE_TIMER_SCHEDULE: '*/1 * * * * *' },
    queues: {
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 250,
      maxDequeueCount: MAX_DEQUEUE_COUNT,
      batchSize: 2,
      newBatchThreshold: 0,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

const queue = (name: string) => new QueueClient(stack.settings.AzureWebJobsStorage, name);
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Messages still in a queue, invisible (being processed) ones included, once it settles or times out. */
async function settledMessageCount(name: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = (await queue(name).getProperties()).approximateMessagesCount ?? -1;
    if (count === 0 || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('local Functions host: timer triggers', () => {
  it('runs a timer on its six-field schedule resolved from a %SETTING%', async () => {
    expect(stack.host.describe().timers).toContainEqual(
      expect.objectContaining({ functionName: 'everySecond', schedule: '*/1 * * * * *' }),
    );
    const [first, second] = await waitForCalls('everySecond', 2, 10_000);
    const timers = [first, second].map(
      (call) => call.input as { isPastDue: boolean; scheduleStatus: { last: string; next: string } },
    );
    expect(timers[0].isPastDue).toBe(false);
    expect(Math.floor(second.at.getTime() / 1000)).toBeGreaterThan(Math.floor(first.at.getTime() / 1000));
    expect(Date.parse(timers[1].scheduleStatus.next)).toBeGreaterThan(
      Date.parse(timers[1].scheduleStatus.last),
    );
  });

  it('runs a runOnStartup timer once when the host starts, then on its schedule', async () => {
    const [call] = await waitForCalls('onStartup', 1);
    expect((call.input as { isPastDue: boolean }).isPastDue).toBe(false);
    const onStartup = stack.host.describe().timers.find((timer) => timer.functionName === 'onStartup');
    expect(onStartup?.nextRun?.toISOString()).toMatch(/^\d{4}-01-01T00:00:00/);
  });
});

describe('local Functions host: queue triggers', () => {
  it('delivers a base64 JSON message, parsed, with its id and dequeueCount in trigger metadata', async () => {
    const sent = await queue('fixture-echo').sendMessage(
      base64(JSON.stringify({ v: 1, kind: 'test', n: 7 })),
    );
    const [call] = await waitForCalls('queueEcho', 1);
    expect(call.input).toEqual({ v: 1, kind: 'test', n: 7 });
    expect(call.triggerMetadata).toMatchObject({ id: sent.messageId, dequeueCount: 1 });
    for (const time of ['insertionTime', 'expirationTime', 'nextVisibleTime'] as const) {
      expect(Number.isNaN(Date.parse(String(call.triggerMetadata?.[time])))).toBe(false);
    }
    expect(typeof call.triggerMetadata?.popReceipt).toBe('string');
    expect(await settledMessageCount('fixture-echo')).toBe(0); // deleted once the handler succeeded
  });

  it('delivers a plain-text message as a string', async () => {
    await queue('fixture-echo').sendMessage(base64('just some text'));
    const [, second] = await waitForCalls('queueEcho', 2);
    expect(second.input).toBe('just some text');
  });

  it('retries a throwing handler, then moves the message to <queue>-poison after maxDequeueCount', async () => {
    const sent = await queue('fixture-fails').sendMessage(base64(JSON.stringify({ doomed: true })));
    const [poisoned] = await waitForCalls('alwaysFailsPoison', 1);
    const tries = calls.filter((call) => call.functionName === 'alwaysFails');
    expect(tries.map((call) => call.triggerMetadata?.dequeueCount)).toEqual([1, 2, 3]);
    expect(new Set(tries.map((call) => call.triggerMetadata?.id))).toEqual(new Set([sent.messageId]));
    expect(poisoned.input).toEqual({ doomed: true });
    expect(poisoned.triggerMetadata?.dequeueCount).toBe(1);
    expect(await settledMessageCount('fixture-fails')).toBe(0);
    expect(stack.logs.join('\n')).toContain(`moved to fixture-fails-poison after ${MAX_DEQUEUE_COUNT} tries`);
  });

  it('takes batchSize messages at a time and the next batch once newBatchThreshold is reached', async () => {
    const client = queue('fixture-batched');
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => client.sendMessage(base64(String(n)))));
    const batched = await waitForCalls('batchedQueue', 6);
    const seen = batched.map((call) => call.input as { message: number; concurrent: number });
    expect(seen.map((entry) => entry.message).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Math.max(...seen.map((entry) => entry.concurrent))).toBe(2);
  });

  it('lists every queue function with its resolved queue name', () => {
    expect(
      stack.host
        .describe()
        .queues.map((poller) => poller.queueName)
        .sort(),
    ).toEqual(['fixture-batched', 'fixture-echo', 'fixture-fails', 'fixture-fails-poison', 'fixture-slow']);
  });

  it('stop() lets a running invocation finish and settle its message', async () => {
    await queue('fixture-slow').sendMessage(base64('slow'));
    await waitForCalls('slowQueue:started', 1);
    await stack.host.stop();
    expect(calls.some((call) => call.functionName === 'slowQueue:finished')).toBe(true);
    const remaining = await queue('fixture-slow').getProperties(); // no waiting: stop() settled it
    expect(remaining.approximateMessagesCount).toBe(0);
  });
});
