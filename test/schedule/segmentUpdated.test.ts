import { createHash } from 'node:crypto';
import { createExport, updateExport } from '../../functions/routes/exportRoutes';
import { getRun, startRun } from '../../functions/routes/runRoutes';
import { silentLogger } from '../../shared/logging/logger';
import { createScheduler } from '../../shared/schedule/schedulerService';
import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import type { SegmentSource } from '../../shared/segments/segmentSource';
import { audienceName } from '../../shared/worker/audienceName';
import { exportBody, startExportStack, type ExportStack } from '../exports/support/exportStack';

const DEBOUNCE_SECONDS = 2;

let stack: ExportStack;
let scheduler: ReturnType<typeof createScheduler>;
/** Runs once, after the first batch of the next segment read (a writer rewriting the folder mid-read). */
let duringNextRead: (() => Promise<void>) | null = null;

/** The app's segment source, with a hook into reads (the worker reads through it). */
function hookedSource(): SegmentSource {
  let real: SegmentSource | undefined;
  const source = () => (real ??= createSegmentSource(stack.config, stack.services.storage));
  return {
    list: (options) => source().list(options),
    describe: (name, options) => source().describe(name, options),
    version: (name) => source().version(name),
    readField(name, field, options) {
      const batches = source().readField(name, field, options);
      return (async function* () {
        for await (const batch of batches) {
          yield batch;
          const hook = duringNextRead;
          duringNextRead = null;
          await hook?.();
        }
      })();
    },
  };
}

beforeAll(async () => {
  stack = await startExportStack(
    { SEGMENT_DEBOUNCE_SECONDS: String(DEBOUNCE_SECONDS) },
    { segments: hookedSource() },
  );
  scheduler = createScheduler(stack.services);
});
afterAll(() => stack?.stop());

/** `count` members from number `from` on: versions overlap, so no change trips the mass-removal guard. */
const emails = (prefix: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `${prefix}.${from + i}@example.com`);

/** Replaces a segment folder with these members in two CSV partitions. */
async function writeMembers(segment: string, members: string[]) {
  const container = stack.services.storage.segmentsContainer();
  await container.createIfNotExists();
  for await (const blob of container.listBlobsFlat({ prefix: `${segment}/` }))
    await container.deleteBlob(blob.name);
  const half = Math.ceil(members.length / 2);
  for (const [index, part] of [members.slice(0, half), members.slice(half)].entries()) {
    const csv = `email,firstName\n${part.map((email, i) => `${email},n${i}`).join('\n')}\n`;
    await container
      .getBlockBlobClient(`${segment}/part-0000${index}.csv`)
      .upload(csv, Buffer.byteLength(csv));
  }
}

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/** The simulator's live audience of the export's segment, as sorted member digests. */
function audience(exportConfig: { id: string; displayName: string }, segment: string): string[] {
  const name = audienceName(exportConfig, segment);
  const found = [...stack.simulator.state.audiences.values()].filter((a) => a.name === name && !a.deleted);
  expect(found).toHaveLength(1);
  return [...found[0].members].sort();
}
const digests = (members: string[]) => members.map(md5).sort();

const tick = (at: number) => scheduler.tick(silentLogger, new Date(at));
const outcomes = (result: Awaited<ReturnType<typeof tick>>, exportId: string) =>
  result.segmentUpdated.filter((outcome) => outcome.exportId === exportId);
const readRun = async (runId: string) =>
  (await stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId } })).body;

/** Plays the queue trigger until the run is final (a re-queued message becomes visible after its delay). */
async function workUntilFinal(runId: string) {
  const until = Date.now() + 20_000;
  for (;;) {
    await stack.drainQueueThroughWorker();
    const run = await readRun(runId);
    if (!['queued', 'running'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`run ${runId} is still ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function createOnChangeExport(segment: string, schedule: Record<string, unknown>) {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, [segment], { schedule }),
  });
  expect(created.status).toBe(201);
  return created.body;
}

test('a changed segment starts its export by itself once quiet, at most once per interval; a rewrite mid-read is read again', async () => {
  const v1 = emails('weekly', 150);
  await writeMembers('weekly', v1);
  const exp = await createOnChangeExport('weekly', { enabled: true, trigger: 'segmentUpdated' });
  expect(exp.schedule).toEqual({ enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 15 });

  // The folder was just written: not complete yet, nothing starts.
  const writing = await tick(Date.now());
  expect(outcomes(writing, exp.id)).toEqual([
    { exportId: exp.id, kind: 'deferred', segments: ['weekly'], reason: 'notQuiet' },
  ]);
  expect(await stack.services.runs.list(exp.id, 10)).toEqual([]);

  // Quiet for the debounce: the next tick starts the run (first sight, never exported: it runs).
  const t1 = Date.now() + (DEBOUNCE_SECONDS + 1) * 1000;
  const [started] = outcomes(await tick(t1), exp.id);
  expect(started).toMatchObject({ kind: 'started', segments: ['weekly'], status: 'queued' });
  if (started.kind !== 'started') throw new Error('not started');
  expect((await readRun(started.runId)).trigger).toEqual({
    type: 'segmentUpdated',
    by: null,
    dueAt: null,
    segments: ['weekly'],
  });
  expect((await workUntilFinal(started.runId)).status).toBe('succeeded');
  expect(audience(exp, 'weekly')).toEqual(digests(v1));

  // Unchanged: later ticks start nothing.
  expect(outcomes(await tick(t1 + 60_000), exp.id)).toEqual([
    { exportId: exp.id, kind: 'unchanged', baseline: [] },
  ]);
  expect(outcomes(await tick(t1 + 20 * 60_000), exp.id)[0].kind).toBe('unchanged');
  expect(await stack.services.runs.list(exp.id, 10)).toHaveLength(1);

  // A new version within the minimum interval of the last start waits for it.
  const v2 = emails('weekly', 140, 10);
  await writeMembers('weekly', v2);
  const early = outcomes(
    await tick(Math.max(Date.now() + (DEBOUNCE_SECONDS + 1) * 1000, t1 + 10 * 60_000)),
    exp.id,
  );
  expect(early).toEqual([
    { exportId: exp.id, kind: 'deferred', segments: ['weekly'], reason: 'minInterval' },
  ]);

  // Past the interval: two ticks at once start exactly one run for the change.
  const t2 = Math.max(Date.now() + (DEBOUNCE_SECONDS + 1) * 1000, t1 + 16 * 60_000);
  const both = (await Promise.all([tick(t2), tick(t2)])).flatMap((result) => outcomes(result, exp.id));
  const runIds = new Set(both.map((outcome) => ('runId' in outcome ? outcome.runId : null)));
  expect(both.filter((outcome) => outcome.kind === 'started')).toHaveLength(1);
  expect([...runIds]).toHaveLength(1);
  const secondRunId = [...runIds][0]!;
  expect(await stack.services.runs.list(exp.id, 10)).toHaveLength(2);

  // The upstream platform rewrites the folder while the run reads it: nothing is sent from that read.
  const v3 = emails('weekly', 140, 20);
  duringNextRead = () => writeMembers('weekly', v3);
  await stack.drainQueueThroughWorker();
  const parked = await readRun(secondRunId);
  expect(parked.segments[0]).toMatchObject({
    status: 'queued',
    reason: 'SEGMENT_CHANGED_DURING_READ',
    error: {
      code: 'SEGMENT_CHANGED_DURING_READ',
      message: expect.stringContaining(`read again in ${DEBOUNCE_SECONDS} s`),
    },
  });
  expect(audience(exp, 'weekly')).toEqual(digests(v1));

  // After the debounce the segment is read again: the audience holds exactly the new version.
  const done = await workUntilFinal(secondRunId);
  expect(done.status).toBe('succeeded');
  expect(done.segments[0]).toMatchObject({
    error: null,
    counts: { valid: 140, sent: 140, added: 10, removed: 20 },
  });
  expect(audience(exp, 'weekly')).toEqual(digests(v3));
});

test('first sight: a segment a successful run read after its last write is the baseline, not a run', async () => {
  await writeMembers('loyal', emails('loyal', 120));
  // Last-Modified has whole seconds: a run in the second of the write may have missed part of it
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
  const exp = await createOnChangeExport('loyal', { enabled: false });
  const manual = await stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exp.id}/runs`,
    params: { id: exp.id },
    body: {},
  });
  expect((await workUntilFinal(manual.body.id)).status).toBe('succeeded');

  const id = exp.id as string;
  const updated = await stack.call(updateExport, {
    method: 'PUT',
    path: `/api/exports/${id}`,
    params: { id },
    body: exportBody(exp.connectionId, ['loyal'], {
      schedule: { enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 5 },
    }),
  });
  expect(updated.status).toBe(200);
  const now = Date.now() + (DEBOUNCE_SECONDS + 1) * 1000;
  expect(outcomes(await tick(now), id)).toEqual([{ exportId: id, kind: 'unchanged', baseline: ['loyal'] }]);
  expect(outcomes(await tick(now + 60_000), id)).toEqual([{ exportId: id, kind: 'unchanged', baseline: [] }]);
  expect(await stack.services.runs.list(id, 10)).toHaveLength(1);

  await writeMembers('loyal', emails('loyal', 125));
  const [next] = outcomes(await tick(Date.now() + (DEBOUNCE_SECONDS + 1) * 1000 + 60_000), id);
  expect(next).toMatchObject({ kind: 'started', segments: ['loyal'] });
});

test.each([
  [{ enabled: true, trigger: 'segmentUpdated', cron: '0 0 6 * * *' }, 'schedule.cron'],
  [{ enabled: true, trigger: 'segmentUpdated', timeZone: 'Europe/Berlin' }, 'schedule.timeZone'],
  [{ enabled: true, trigger: 'cron' }, 'schedule.cron'],
  [{ enabled: true, trigger: 'systemRefresh', cron: '0 0 6 * * *' }, 'schedule.cron'],
  [{ enabled: true, minIntervalMinutes: 30 }, 'schedule.minIntervalMinutes'],
  [
    { enabled: true, trigger: 'cron', cron: '0 0 6 * * *', minIntervalMinutes: 30 },
    'schedule.minIntervalMinutes',
  ],
  [{ enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 0 }, 'schedule.minIntervalMinutes'],
  [{ enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 1441 }, 'schedule.minIntervalMinutes'],
  [{ enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 2.5 }, 'schedule.minIntervalMinutes'],
  [{ enabled: true, trigger: 'hourly' }, 'schedule.trigger'],
])('schedule %j → 422 naming %s', async (schedule, field) => {
  await writeMembers('checked', emails('checked', 110));
  const connection = stack.connections.add();
  const response = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, ['checked'], { schedule }),
  });
  expect(response.status).toBe(422);
  expect(response.body.field).toBe(field);
});

test('schedules without trigger keep their meaning; an explicit trigger is kept as given', async () => {
  await writeMembers('kept', emails('kept', 110));
  for (const schedule of [
    { enabled: true },
    { enabled: true, cron: '0 0 6 * * *', timeZone: 'Europe/Berlin' },
    { enabled: true, trigger: 'cron', cron: '0 0 6 * * *' },
    { enabled: true, trigger: 'systemRefresh' },
    { enabled: false, trigger: 'segmentUpdated', minIntervalMinutes: 60 },
  ]) {
    const created = await createOnChangeExport('kept', schedule);
    expect(created.schedule).toEqual(schedule);
  }
});
