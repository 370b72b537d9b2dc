import { createExport } from '../../functions/routes/exportRoutes';
import { startRun } from '../../functions/routes/runRoutes';
import { createWebhook } from '../../functions/routes/webhookRoutes';
import { QUOTA_TABLE, utcDay } from '../../shared/destinations/rollworks/requestBudget';
import { silentLogger } from '../../shared/logging/logger';
import { exportBody, startExportStack, type ExportStack } from '../exports/support/exportStack';
import { inMemoryTelemetry } from '../telemetry/support';
import { drainWebhookQueue, startReceiver, verifiedEvents, type Receiver } from './support';

/** Real runs through the real worker and simulator; the events arrive signed at a real receiver. */
jest.setTimeout(120_000);

let stack: ExportStack;
let receiver: Receiver;
let secret: string;
const memory = inMemoryTelemetry();

beforeAll(async () => {
  stack = await startExportStack({}, { telemetry: memory.telemetry });
  receiver = await startReceiver();
  const created = await stack.call(createWebhook, {
    method: 'POST',
    path: '/api/webhooks',
    body: {
      url: receiver.url,
      events: [
        'run.succeeded',
        'run.partiallySucceeded',
        'run.failed',
        'segment.failed',
        'segment.massRemovalBlocked',
        'quota.exhausted',
        'quota.resumed',
      ],
      description: 'All of them',
    },
  });
  secret = created.body.secret;
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
  await memory.shutdown();
});

async function newExport(segments: string[]): Promise<string> {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, segments),
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** Runs the export to its end and answers the events that reached the receiver meanwhile. */
async function run(exportId: string): Promise<Record<string, unknown>[]> {
  const started = await stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body: {},
  });
  expect(started.status).toBe(202);
  await stack.drainQueueThroughWorker();
  return delivered();
}

async function delivered(): Promise<Record<string, unknown>[]> {
  await stack.services.runEvents.idle();
  receiver.received.length = 0;
  await drainWebhookQueue(stack.services);
  const events = verifiedEvents(receiver, secret);
  for (const event of events) {
    const text = JSON.stringify(event);
    expect(text).not.toMatch(/@|\b[a-f0-9]{32}\b/i); // no email, no MD5 of one
  }
  return events;
}

const types = (events: Record<string, unknown>[]) => events.map((e) => e.type).sort();

it('a success, a failure that stays failed, then a recovery: events on each change of state', async () => {
  await stack.writeSegment('events-small', { rows: 150 });
  const exportId = await newExport(['events-small']);
  await stack.writeSegment('events-small', { rows: 60 }); // shrinks after saving

  const failed = await run(exportId);
  expect(types(failed)).toEqual(['rollworks.export.run.failed', 'rollworks.export.segment.failed']);
  const segmentFailed = failed.find((e) => e.type === 'rollworks.export.segment.failed')!;
  expect(segmentFailed).toMatchObject({
    specversion: '1.0',
    source: stack.config.PUBLIC_BASE_URL,
    subject: exportId,
    data: {
      exportId,
      exportName: 'Newsletter audiences',
      segment: 'events-small',
      code: 'SEGMENT_TOO_SMALL',
      message: expect.stringContaining('fewer than the 100'),
    },
  });

  expect(await run(exportId)).toEqual([]); // still failed: nothing new to say

  await stack.writeSegment('events-small', { rows: 150 });
  const recovered = await run(exportId);
  expect(recovered).toEqual([
    expect.objectContaining({
      type: 'rollworks.export.run.succeeded',
      subject: exportId,
      data: expect.objectContaining({ recovered: true, sent: 150, segments: 1, succeededSegments: 1 }),
    }),
  ]);

  const again = await run(exportId); // unchanged, still a success
  expect(again.map((e) => e.data)).toEqual([expect.objectContaining({ recovered: false })]);

  const segmentRows = await memory.points('rollworks_export.segment.rows');
  expect(segmentRows).toContainEqual({
    attributes: { exportId, segment: 'events-small', status: 'succeeded', kind: 'sent' },
    value: 150,
  });
  expect(memory.events()).toContainEqual(
    expect.objectContaining({
      body: 'SegmentFailed',
      attributes: expect.objectContaining({ exportId, code: 'SEGMENT_TOO_SMALL' }),
    }),
  );
  expect(memory.events()).toContainEqual(
    expect.objectContaining({
      body: 'RunCompleted',
      attributes: expect.objectContaining({ exportId, status: 'succeeded' }),
    }),
  );
  const requests = await memory.points('rollworks_export.destination.requests');
  expect(requests.some((p) => p.attributes.outcome === 'ok' && Number(p.value) > 0)).toBe(true);
  expect((await memory.points('rollworks_export.destination.budget.used')).length).toBeGreaterThan(0);
});

it('a blocked mass removal says so', async () => {
  await stack.writeSegment('events-shrink', { rows: 300 });
  const exportId = await newExport(['events-shrink']);
  expect(types(await run(exportId))).toEqual(['rollworks.export.run.succeeded']);
  await stack.writeSegment('events-shrink', { rows: 150 });
  const blocked = await run(exportId);
  expect(types(blocked)).toEqual([
    'rollworks.export.run.failed',
    'rollworks.export.segment.massRemovalBlocked',
  ]);
  expect(blocked.find((e) => e.type === 'rollworks.export.segment.massRemovalBlocked')).toMatchObject({
    data: { code: 'MASS_REMOVAL_BLOCKED', removed: 150, segment: 'events-shrink' },
  });
});

it('an exhausted daily budget says so once, and again when it is available', async () => {
  await stack.writeSegment('events-quota', { rows: 150 });
  const exportId = await newExport(['events-quota']);
  const quota = stack.services.storage.table(QUOTA_TABLE);
  await quota.createTable().catch(() => undefined);
  const row = { partitionKey: `rollworks-${stack.config.ROLLWORKS_CLIENT_ID}`, rowKey: utcDay(new Date()) };
  await quota.upsertEntity({ ...row, used: stack.config.ROLLWORKS_DAILY_REQUEST_BUDGET }, 'Replace');

  const exhausted = await run(exportId);
  expect(exhausted).toEqual([
    expect.objectContaining({
      type: 'rollworks.export.quota.exhausted',
      subject: exportId,
      data: expect.objectContaining({ segment: 'events-quota', resumesAt: expect.any(String) }),
    }),
  ]);
  expect(memory.events().map((e) => e.body)).toContain('DailyBudgetExhausted');

  // The next UTC day: the waiting message comes back (here at once) and the budget is available.
  await quota.deleteEntity(row.partitionKey, row.rowKey);
  const [waiting] = (await stack.services.runs.list(exportId, 1))[0].segments;
  expect(waiting.status).toBe('waitingForQuota');
  const runId = (await stack.services.runs.list(exportId, 1))[0].id;
  await stack.clearQueue();
  await stack.services.worker.handle(
    { v: 1, kind: 'exportSegment', runId, exportId, segment: 'events-quota' },
    { dequeueCount: 1, messageId: 'resume' },
    silentLogger,
  );
  expect(types(await delivered())).toEqual([
    'rollworks.export.quota.resumed',
    'rollworks.export.run.succeeded',
  ]);
});
