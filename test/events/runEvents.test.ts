import { QUOTA_TABLE, utcDay } from '../../shared/destinations/rollworks/requestBudget';
import { SUBSCRIBABLE_TYPES } from '../../shared/events/webhookSchemas';
import { silentLogger } from '../../shared/logging/logger';
import { inMemoryTelemetry } from '../telemetry/support';
import { startEventStack, type EventStack } from './support';

/** Real runs through the real worker and simulator; the events arrive signed at a real receiver. */
jest.setTimeout(120_000);

let events: EventStack;
const memory = inMemoryTelemetry();

beforeAll(async () => {
  events = await startEventStack(SUBSCRIBABLE_TYPES, { telemetry: memory.telemetry });
});
afterAll(async () => {
  await events?.stop();
  await memory.shutdown();
});

/** Runs the export to its end and answers the events that reached the receiver meanwhile. */
async function run(exportId: string): Promise<Record<string, unknown>[]> {
  await events.run(exportId);
  return events.delivered();
}

const types = (delivered: Record<string, unknown>[]) => delivered.map((e) => e.type).sort();

it('a success, a failure that stays failed, then a recovery: events on each change of state', async () => {
  const { stack } = events;
  await stack.writeSegment('events-small', { rows: 150 });
  const exportId = await events.newExport(['events-small']);
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
  const { stack } = events;
  await stack.writeSegment('events-shrink', { rows: 300 });
  const exportId = await events.newExport(['events-shrink']);
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
  const { stack } = events;
  await stack.writeSegment('events-quota', { rows: 150 });
  const exportId = await events.newExport(['events-quota']);
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
  const [latest] = await stack.services.runs.list(exportId, 1);
  expect(latest.segments[0].status).toBe('waitingForQuota');
  await stack.clearQueue();
  await stack.services.worker.handle(
    { v: 1, kind: 'exportSegment', runId: latest.id, exportId, segment: 'events-quota' },
    { dequeueCount: 1, messageId: 'resume' },
    silentLogger,
  );
  expect(types(await events.delivered())).toEqual([
    'rollworks.export.quota.resumed',
    'rollworks.export.run.succeeded',
  ]);
});

it('a sign-in RollWorks no longer accepts: the connection needs signing in again, once', async () => {
  const { stack } = events;
  await stack.writeSegment('events-auth', { rows: 150 });
  const exportId = await events.newExport(['events-auth']);
  const connectionId = (await stack.services.exports.get(exportId))!.connectionId!;
  stack.simulator.state.expireAccessTokens(); // last test: every later call of this stack is refused

  const refused = await run(exportId);
  expect(types(refused)).toEqual([
    'rollworks.export.connection.reauthorizationRequired',
    'rollworks.export.run.failed',
    'rollworks.export.segment.failed',
  ]);
  expect(refused.find((e) => e.type === 'rollworks.export.connection.reauthorizationRequired')).toMatchObject(
    {
      subject: connectionId,
      data: { connectionId, exportId, code: 'UNAUTHORIZED' },
    },
  );
  expect(memory.events()).toContainEqual(
    expect.objectContaining({
      body: 'ConnectionReauthorizationRequired',
      attributes: expect.objectContaining({ connectionId, code: 'UNAUTHORIZED' }),
    }),
  );
  expect(types(await run(exportId))).toEqual([]); // still refused: nothing new
});
