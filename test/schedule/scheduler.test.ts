import { InvocationContext, type Timer } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { schedulerTick } from '../../functions/scheduler';
import { createScheduler, SCHEDULER_TABLE } from '../../shared/schedule/schedulerService';
import { silentLogger } from '../../shared/logging/logger';
import type { ExportSchedule } from '../../shared/model/export';
import {
  exportBody,
  finishRun,
  principal,
  startExportStack,
  type ExportStack,
} from '../exports/support/exportStack';

let stack: ExportStack;
let scheduler: ReturnType<typeof createScheduler>;

beforeAll(async () => {
  stack = await startExportStack({ SYSTEM_REFRESH_CRON: '0 0 2 * * *', SYSTEM_REFRESH_TIME_ZONE: 'UTC' });
  await stack.writeSegment('newsletter', { rows: 3, manifestRows: 5_000 });
  scheduler = createScheduler(stack.services);
});
afterAll(() => stack?.stop());

afterEach(async () => {
  // Each test starts from no exports and no scheduler state.
  for (const e of await stack.services.exports.listAll()) {
    await stack.services.exports.remove(e.id, principal('Exports.Admin'));
  }
  const table = TableClient.fromConnectionString(stack.config.AzureWebJobsStorage!, SCHEDULER_TABLE, {
    allowInsecureConnection: true,
  });
  await table.deleteEntity('scheduler', 'state').catch(() => undefined);
  stack.setNow(null);
});

async function newExport(schedule: ExportSchedule) {
  const connection = stack.connections.add();
  return stack.services.exports.create(
    { ...exportBody(connection.id, ['newsletter']), hashEmails: true, schedule },
    principal('Exports.Admin'),
  );
}

const tick = (at: string) => scheduler.tick(silentLogger, new Date(at));

async function scheduledRuns(exportId: string) {
  const runs = await stack.services.runs.list(exportId, 100);
  return runs.map((r) => ({ dueAt: r.trigger.dueAt, type: r.trigger.type, status: r.status })).reverse();
}

/** Plays the worker: every run still queued finishes. */
async function finishAll(exportId: string) {
  for (const run of await stack.services.runs.list(exportId, 100)) {
    if (run.status === 'queued') await finishRun(stack.services, run.id);
  }
}

test('scheduled runs fire once per due time across ticks, duplicated and late ticks', async () => {
  const exp = await newExport({ enabled: true, cron: '0 0 * * * *' });
  const first = await tick('2026-05-04T10:02:00Z');
  expect(first.started.map((s) => s.dueAt)).toEqual(['2026-05-04T10:00:00.000Z']);
  await finishAll(exp.id);

  // A duplicated tick (same time, twice at once) starts nothing more.
  const duplicates = await Promise.all([tick('2026-05-04T10:02:00Z'), tick('2026-05-04T10:02:00Z')]);
  expect(duplicates.flatMap((d) => d.started)).toEqual([]);

  // Two overlapping ticks after the next due time: exactly one of them starts the 11:00 run.
  const overlapping = await Promise.all([tick('2026-05-04T11:01:00Z'), tick('2026-05-04T11:02:00Z')]);
  expect(overlapping.flatMap((d) => d.started.map((s) => s.dueAt))).toEqual(['2026-05-04T11:00:00.000Z']);
  await finishAll(exp.id);

  // A late tick that replays an old window (its state write was lost) finds the runs already there.
  const table = TableClient.fromConnectionString(stack.config.AzureWebJobsStorage!, SCHEDULER_TABLE, {
    allowInsecureConnection: true,
  });
  await table.upsertEntity({
    partitionKey: 'scheduler',
    rowKey: 'state',
    lastTick: '2026-05-04T10:30:00.000Z',
  });
  const late = await tick('2026-05-04T11:03:00Z');
  expect(late.started).toEqual([]);
  expect(late.alreadyStarted).toEqual([{ exportId: exp.id, dueAt: '2026-05-04T11:00:00.000Z' }]);

  expect(await scheduledRuns(exp.id)).toEqual([
    { dueAt: '2026-05-04T10:00:00.000Z', type: 'scheduled', status: 'succeeded' },
    { dueAt: '2026-05-04T11:00:00.000Z', type: 'scheduled', status: 'succeeded' },
  ]);
});

test('after a missed period, at most one catch-up run per export', async () => {
  const hourly = await newExport({ enabled: true, cron: '0 0 * * * *' });
  const daily = await newExport({ enabled: true }); // system refresh: 02:00 UTC
  await tick('2026-05-04T09:01:00Z');
  await finishAll(hourly.id);
  const afterOutage = await tick('2026-05-06T16:30:00Z');
  expect(afterOutage.started.map((s) => [s.exportId, s.dueAt])).toEqual([
    [hourly.id, '2026-05-06T16:00:00.000Z'],
    [daily.id, '2026-05-06T02:00:00.000Z'],
  ]);
  expect(afterOutage.caughtUp).toEqual(
    expect.arrayContaining([
      { exportId: hourly.id, missed: expect.any(Number) },
      { exportId: daily.id, missed: 1 },
    ]),
  );
  expect((await stack.services.runs.list(hourly.id, 100)).length).toBe(2);
  expect((await stack.services.runs.list(daily.id, 100)).length).toBe(1);
});

test('disabled and inactive exports never run on schedule', async () => {
  const disabled = await newExport({ enabled: false, cron: '0 * * * * *' });
  const detached = await newExport({ enabled: true, cron: '0 * * * * *' });
  await stack.services.exports.detachConnection(detached.connectionId!);
  await tick('2026-05-04T10:00:30Z');
  const result = await tick('2026-05-04T10:05:30Z');
  expect(result.started).toEqual([]);
  expect(await stack.services.runs.list(disabled.id, 10)).toEqual([]);
  expect(await stack.services.runs.list(detached.id, 10)).toEqual([]);
});

test('a due time while the previous run is still going is recorded as skipped, naming that run', async () => {
  const exp = await newExport({ enabled: true, cron: '0 0 * * * *' });
  const first = (await tick('2026-05-04T10:01:00Z')).started[0];
  const second = (await tick('2026-05-04T11:01:00Z')).started[0];
  const run = (await stack.services.runs.get(second.runId))!;
  expect(run.status).toBe('skipped');
  expect(run.reason).toBe('previousRunInProgress');
  expect(run.segments[0]).toMatchObject({ status: 'skipped', reason: 'previousRunInProgress' });
  expect(first.status).toBe('queued');
  expect(await scheduledRuns(exp.id)).toHaveLength(2);
});

test.each([
  {
    zone: 'America/New_York',
    from: '2026-03-06T23:00:00Z',
    to: '2026-03-09T23:00:00Z',
    expected: ['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z'],
  },
  {
    zone: 'Europe/Berlin',
    from: '2026-10-23T23:00:00Z',
    to: '2026-10-26T23:00:00Z',
    expected: ['2026-10-24T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z'],
  },
])(
  'per-export cron in $zone across a daylight-saving change, ticking every 50 minutes',
  async ({ zone, from, to, expected }) => {
    const exp = await newExport({ enabled: true, cron: '0 30 2 * * *', timeZone: zone });
    for (let t = Date.parse(from); t <= Date.parse(to); t += 50 * 60_000) {
      const result = await scheduler.tick(silentLogger, new Date(t));
      if (result.started.length > 0) await finishAll(exp.id);
    }
    expect((await scheduledRuns(exp.id)).map((r) => r.dueAt)).toEqual(expected);
  },
);

test('the timer function ticks with the services clock', async () => {
  const exp = await newExport({ enabled: true, cron: '0 0 * * * *' });
  stack.setNow(new Date('2026-05-04T10:01:00Z'));
  await schedulerTick(
    { isPastDue: false, schedule: { adjustForDST: true } } as Timer,
    new InvocationContext({ functionName: 'scheduler', logHandler: () => undefined }),
  );
  expect(await scheduledRuns(exp.id)).toEqual([
    { dueAt: '2026-05-04T10:00:00.000Z', type: 'scheduled', status: 'queued' },
  ]);
});
