import { cancelRun, getRun, listRuns, startRun } from '../../functions/routes/runRoutes';
import { createExport } from '../../functions/routes/exportRoutes';
import {
  exportBody,
  finishRun,
  startExportStack,
  type Caller,
  type ExportStack,
} from '../exports/support/exportStack';

let stack: ExportStack;

beforeAll(async () => {
  stack = await startExportStack();
  await stack.writeSegment('newsletter', { rows: 3, manifestRows: 5_000 });
  await stack.writeSegment('vip', { rows: 3, manifestRows: 120_000 });
});
afterAll(() => stack?.stop());
beforeEach(() => stack.clearQueue());

async function newExport(access: 'admins' | 'adminsAndContributors' = 'adminsAndContributors') {
  const connection = stack.connections.add({ access });
  const response = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, ['newsletter', 'vip']),
  });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

const start = (
  exportId: string,
  options: { body?: unknown; as?: Caller; headers?: Record<string, string>; sub?: string } = {},
) =>
  stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body: options.body ?? {},
    as: options.as,
    sub: options.sub,
    headers: options.headers,
  });
const read = (runId: string, as: Caller = 'Exports.Viewer') =>
  stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId }, as });
const cancel = (runId: string, as: Caller = 'Exports.Admin') =>
  stack.call(cancelRun, { method: 'POST', path: `/api/runs/${runId}/cancel`, params: { runId }, as });

describe('POST /api/exports/{id}/runs', () => {
  test('202 with the run, Location, and one reference-only queue message per segment', async () => {
    const exp = await newExport();
    const response = await start(exp.id, { body: { dryRun: true }, sub: 'alice' });
    expect(response.status).toBe(202);
    const run = response.body;
    expect(response.headers.Location).toBe(`/api/runs/${run.id}`);
    expect(run.id).toMatch(/^run_[a-z2-7]+$/);
    expect(run).toMatchObject({
      exportId: exp.id,
      trigger: { type: 'onDemand', by: { id: 'alice', name: 'Admin alice' }, dueAt: null },
      dryRun: true,
      force: false,
      status: 'queued',
      startedAt: null,
      finishedAt: null,
    });
    expect(run.segments.map((s: { segment: string }) => s.segment)).toEqual(['newsletter', 'vip']);
    expect(run.segments[0]).toEqual({
      segment: 'newsletter',
      status: 'queued',
      reason: null,
      counts: {
        read: 0,
        invalid: 0,
        duplicates: 0,
        valid: 0,
        suppressed: 0,
        withoutConsent: 0,
        sent: 0,
        added: 0,
        removed: 0,
      },
      audience: null,
      error: null,
      rejectionsUrl: null,
      startedAt: null,
      finishedAt: null,
      progress: null,
      timings: null,
      resumesAt: null,
      stalledSince: null,
    });
    const messages = await stack.queuedMessages();
    expect(messages).toEqual([
      { v: 1, kind: 'exportSegment', runId: run.id, exportId: exp.id, segment: 'newsletter' },
      { v: 1, kind: 'exportSegment', runId: run.id, exportId: exp.id, segment: 'vip' },
    ]);
    const fetched = await read(run.id);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(run);
  });

  test('the same Idempotency-Key returns the same run and enqueues nothing more', async () => {
    const exp = await newExport();
    const headers = { 'Idempotency-Key': 'retry-1234' };
    const first = await start(exp.id, { headers, as: 'Exports.Runner', sub: 'svc' });
    const second = await start(exp.id, { headers, as: 'Exports.Runner', sub: 'svc' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.Location).toBe(`/api/runs/${first.body.id}`);
    expect(await stack.queuedMessages()).toHaveLength(2);
    const reused = await start(exp.id, { headers, body: { force: true }, as: 'Exports.Runner', sub: 'svc' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' });
  });

  test('concurrent retries with one Idempotency-Key start one run', async () => {
    const exp = await newExport();
    const headers = { 'Idempotency-Key': 'burst-1' };
    const responses = await Promise.all([1, 2, 3].map(() => start(exp.id, { headers })));
    const ids = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(responses.every((r) => r.status === 202 || r.body.code === 'IDEMPOTENT_REQUEST_IN_PROGRESS')).toBe(
      true,
    );
    expect(await stack.queuedMessages()).toHaveLength(2);
  });

  test('a run in progress → 409 naming it; {queue: true} queues behind it and starts when it ends', async () => {
    const exp = await newExport();
    const first = (await start(exp.id)).body;
    const refused = await start(exp.id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'RUN_IN_PROGRESS', runId: first.id });
    expect(refused.body.detail).toContain(first.id);

    const queued = await start(exp.id, { body: { queue: true } });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'queued', reason: `waitingForRun: ${first.id}` });
    const again = await start(exp.id, { body: { queue: true } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'RUN_ALREADY_QUEUED', runId: queued.body.id });
    // Only the first run's messages are on the queue until it finishes.
    expect((await stack.queuedMessages()).map((m) => m.runId)).toEqual([first.id, first.id]);

    await finishRun(stack.services, first.id);
    expect((await read(first.id)).body.status).toBe('succeeded');
    const messages = await stack.queuedMessages();
    expect(messages.filter((m) => m.runId === queued.body.id).map((m) => m.segment)).toEqual([
      'newsletter',
      'vip',
    ]);
    expect((await read(queued.body.id)).body).toMatchObject({ status: 'queued', reason: null });
    // The queued run is now the one in progress.
    expect((await start(exp.id)).body).toMatchObject({ code: 'RUN_IN_PROGRESS', runId: queued.body.id });
  });

  test('who may start runs: admins, runners, contributors with access; not viewers', async () => {
    const shared = await newExport('adminsAndContributors');
    const adminOnly = await newExport('admins');
    expect((await start(shared.id, { as: 'Exports.Viewer' })).status).toBe(403);
    const contributorDenied = await start(adminOnly.id, { as: 'Exports.Contributor' });
    expect(contributorDenied.status).toBe(403);
    expect(contributorDenied.body.code).toBe('CONNECTION_NOT_SHARED');
    const runner = await start(adminOnly.id, { as: 'Exports.Runner' });
    expect(runner.status).toBe(202);
    const contributor = await start(shared.id, { as: 'Exports.Contributor' });
    expect(contributor.status).toBe(202);
    expect((await read(contributor.body.id, 'Exports.Viewer')).status).toBe(200);
    expect((await cancel(runner.body.id, 'Exports.Viewer')).status).toBe(403);
    expect((await cancel(runner.body.id, 'Exports.Contributor')).status).toBe(403);
  });

  test('unknown export → 404; inactive export → 409; bad body → 422', async () => {
    expect((await start('exp_missing')).status).toBe(404);
    const exp = await newExport();
    const bad = await start(exp.id, { body: { dryRun: 'yes' } });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('dryRun');
    const stored = (await stack.services.exports.get(exp.id))!;
    await stack.services.exports.detachConnection(stored.connectionId!);
    const inactive = await start(exp.id);
    expect(inactive.status).toBe(409);
    expect(inactive.body.code).toBe('EXPORT_INACTIVE');
  });
});

describe('cancel', () => {
  test('segments not finished become canceled; a finished run cannot be canceled', async () => {
    const exp = await newExport();
    const run = (await start(exp.id)).body;
    await stack.services.runs.updateSegment(run.id, 'newsletter', (current) => ({
      ...current,
      status: 'succeeded',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    }));
    expect((await read(run.id)).body.status).toBe('running');
    const canceled = await cancel(run.id, 'Exports.Runner');
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.reason).toContain('canceled by');
    expect(canceled.body.finishedAt).not.toBeNull();
    expect(canceled.body.segments.map((s: { status: string }) => s.status)).toEqual([
      'succeeded',
      'canceled',
    ]);
    const again = await cancel(run.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RUN_FINISHED');
    // A canceled run no longer blocks new runs.
    expect((await start(exp.id)).status).toBe(202);
  });

  test('a run queued behind another can be canceled before it starts; it is never enqueued', async () => {
    const exp = await newExport();
    const first = (await start(exp.id)).body;
    const waiting = (await start(exp.id, { body: { queue: true } })).body;
    const canceled = await cancel(waiting.id);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    await finishRun(stack.services, first.id);
    expect((await stack.queuedMessages()).map((m) => m.runId)).toEqual([first.id, first.id]);
    // Nothing is in progress any more.
    expect((await start(exp.id)).status).toBe(202);
  });

  test('unknown run → 404', async () => {
    expect((await cancel('run_nosuchrun')).status).toBe(404);
    expect((await read('run_nosuchrun')).status).toBe(404);
  });

  test('a malformed run or export id → 422 naming the route parameter', async () => {
    const badRun = await read('not-a-run');
    expect(badRun.status).toBe(422);
    expect(badRun.body.field).toBe('runId');
    const badExport = await start('bad id!');
    expect(badExport.status).toBe(422);
    expect(badExport.body.field).toBe('id');
  });
});

describe('history', () => {
  test('GET /api/exports/{id}/runs?top=N lists newest first', async () => {
    const exp = await newExport();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      stack.setNow(new Date(Date.UTC(2026, 0, 1, 12, i)));
      const run = (await start(exp.id)).body;
      ids.push(run.id);
      await finishRun(stack.services, run.id, i === 1 ? 'failed' : 'succeeded');
    }
    stack.setNow(null);
    const list = (top?: string) =>
      stack.call(listRuns, {
        method: 'GET',
        path: `/api/exports/${exp.id}/runs${top ? `?top=${top}` : ''}`,
        params: { id: exp.id },
        as: 'Exports.Viewer',
      });
    const two = await list('2');
    expect(two.status).toBe(200);
    expect(two.body.runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(two.body.runs[1]).toMatchObject({ status: 'failed' });
    expect(two.body.runs[1].reason).toContain('SEGMENT_TOO_SMALL');
    expect((await list()).body.runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await list('0')).status).toBe(422);
  });
});

describe('updateSegment', () => {
  test('concurrent updates of different segments all land and the run status follows', async () => {
    const exp = await newExport();
    const run = (await start(exp.id)).body;
    const bump = (segment: string) =>
      stack.services.runs.updateSegment(run.id, segment, (current) => ({
        ...current,
        status: 'running',
        counts: { ...current.counts, read: current.counts.read + 1 },
      }));
    await Promise.all([...Array(8)].flatMap(() => [bump('newsletter'), bump('vip')]));
    const after = (await read(run.id)).body;
    expect(after.status).toBe('running');
    expect(after.segments.map((s: { counts: { read: number } }) => s.counts.read)).toEqual([8, 8]);
    await Promise.all([
      stack.services.runs.updateSegment(run.id, 'newsletter', (c) => ({
        ...c,
        status: 'succeeded',
        finishedAt: new Date().toISOString(),
      })),
      stack.services.runs.updateSegment(run.id, 'vip', (c) => ({
        ...c,
        status: 'failed',
        error: { code: 'MASS_REMOVAL_BLOCKED', message: 'would remove 40%' },
        finishedAt: new Date().toISOString(),
      })),
    ]);
    const done = (await read(run.id)).body;
    expect(done.status).toBe('partiallySucceeded');
    expect(done.reason).toContain('vip (MASS_REMOVAL_BLOCKED)');
    expect(done.finishedAt).not.toBeNull();
  });
});
