import path from 'node:path';
import { signLocalToken } from '../../dev/localAuth';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../dev/localHost/host';
import {
  ConnectionNotAuthorizedError,
  REAUTHORIZATION_MESSAGE,
} from '../../shared/connections/connectionTokens';
import type { Role } from '../../shared/model/identity';
import { startApp } from '../../shared/services';
import { runResponseSchema } from '../../shared/runs/schemas';
import {
  exportBody,
  startExportStack,
  type ExportStack,
  type JsonBody,
} from '../exports/support/exportStack';

/**
 * Real failing cases run through the real worker (Azurite + RollWorks simulator over HTTP); each run is
 * then read as a person would, over HTTP from the local Functions host serving functions/runs.ts.
 */
let stack: ExportStack;
let host: LocalFunctionsHost;
const hostLogs: string[] = [];
const root = path.join(__dirname, '..', '..');

beforeAll(async () => {
  // 300 hashed members fit in 16 KB; 600 do not.
  stack = await startExportStack({ ROLLWORKS_MAX_REQUEST_BYTES: String(16 * 1024) });
  host = await startLocalFunctionsHost({
    port: 0,
    log: (level, message) => hostLogs.push(`${level} ${message}`),
    files: [path.join(root, 'functions', 'http.ts')],
  });
  startApp(stack.services); // the host starts from a clean service container
});
afterAll(async () => {
  await host?.stop();
  await stack?.stop();
});

async function api(
  method: string,
  url: string,
  options: { as?: Role | 'none'; body?: unknown } = {},
): Promise<Response> {
  const as = options.as ?? 'Exports.Admin';
  const headers: Record<string, string> = {};
  if (as !== 'none') {
    const token = await signLocalToken({ roles: [as], sub: 'user-1', name: `${as.slice(8)} user-1` });
    headers.authorization = `Bearer ${token}`;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${host.origin}${url}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function readRun(runId: string): Promise<JsonBody> {
  const response = await api('GET', `/api/runs/${runId}`, { as: 'Exports.Viewer' });
  expect(response.status).toBe(200);
  const body = await response.json();
  // Exactly the documented shape (every field present, nothing undocumented at the top level).
  expect(runResponseSchema.strict().parse(body)).toEqual(body);
  return body;
}

async function createExport(connectionId: string, segments: string[]): Promise<string> {
  const response = await api('POST', '/api/exports', { body: exportBody(connectionId, segments) });
  if (response.status !== 201) throw new Error(`${await response.text()}\n${hostLogs.slice(-5).join('\n')}`);
  return ((await response.json()) as { id: string }).id;
}

async function startRun(exportId: string, body: unknown = {}): Promise<string> {
  const response = await api('POST', `/api/exports/${exportId}/runs`, { body });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function writeCsv(segment: string, header: string, values: string[]): Promise<void> {
  const container = stack.services.storage.segmentsContainer();
  await container.createIfNotExists();
  const csv = `${header},firstName\n${values.map((v, i) => `${v},Name${i}`).join('\n')}\n`;
  await container.getBlockBlobClient(`${segment}/part-00000.csv`).upload(csv, Buffer.byteLength(csv));
}

const emails = (prefix: string, count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i + offset}@example.com`);
const INVALID = ['not-an-email', 'someone@nodot', 'two@@example.com', 'dot.@example.com'];

const segmentOf = (run: JsonBody, name: string) =>
  run.segments.find((s: { segment: string }) => s.segment === name);

/** Every segment that did not succeed says why, with a code and a sentence. */
function expectExplained(run: JsonBody) {
  for (const segment of run.segments) {
    if (segment.status === 'succeeded') continue;
    expect(segment.reason).toEqual(expect.any(String));
    expect(segment.error).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
    expect(segment.error.message).toMatch(/^[A-Z'].{20,}[.!]$/s);
  }
}

const SPECIAL = 'VIP · Kunden #1 & 50%';

test('segments that fail at run time: each has its code, reason and a sentence; the rest succeed', async () => {
  const connection = stack.connections.add();
  for (const name of [SPECIAL, 'shrunk', 'renamed', 'gone', 'grown']) {
    await writeCsv(name, 'email', emails(`${name.length}x`, 150));
  }
  const exportId = await createExport(connection.id, [SPECIAL, 'shrunk', 'renamed', 'gone', 'grown']);

  // After saving: the segments change under the export.
  await writeCsv(SPECIAL, 'email', [...emails('vip', 150), ...INVALID, 'VIP3@Example.com']);
  await writeCsv('shrunk', 'email', [...emails('few', 60), ...INVALID]);
  await writeCsv('renamed', 'work_email', emails('renamed', 150));
  await stack.services.storage.segmentsContainer().deleteBlob('gone/part-00000.csv');
  await writeCsv('grown', 'email', emails('grown', 250));
  stack.connections.set(connection.id, { profileLimit: 200 });

  const runId = await startRun(exportId);
  const queued = await readRun(runId);
  expect(queued.segments.map((s: JsonBody) => [s.status, s.progress, s.timings, s.resumesAt])).toEqual(
    Array(5).fill(['queued', null, null, null]),
  );
  await stack.drainQueueThroughWorker();

  const run = await readRun(runId);
  expect(run.status).toBe('partiallySucceeded');
  expect(run.reason).toBe(
    '4 of 5 segments failed: shrunk (SEGMENT_TOO_SMALL), renamed (EMAIL_FIELD_MISSING), gone (SEGMENT_NOT_FOUND), grown (SEGMENT_TOO_LARGE)',
  );
  expectExplained(run);

  const vip = segmentOf(run, SPECIAL);
  expect(vip).toMatchObject({
    status: 'succeeded',
    reason: null,
    error: null,
    counts: { read: 155, invalid: 4, duplicates: 1, valid: 150, sent: 150, added: 150, removed: 0 },
    progress: null,
    resumesAt: null,
  });
  expect(vip.timings).toEqual({
    readMs: expect.any(Number),
    diffMs: expect.any(Number),
    sendMs: expect.any(Number),
    snapshotMs: expect.any(Number),
    totalMs: expect.any(Number),
  });
  const { readMs, diffMs, sendMs, snapshotMs, totalMs } = vip.timings;
  expect(totalMs).toBeGreaterThanOrEqual(readMs + diffMs + sendMs + snapshotMs);

  expect(segmentOf(run, 'shrunk')).toMatchObject({
    status: 'failed',
    reason: 'SEGMENT_TOO_SMALL',
    counts: { read: 64, invalid: 4, valid: 60, sent: 0 },
    error: { code: 'SEGMENT_TOO_SMALL' },
    audience: null,
  });
  expect(segmentOf(run, 'shrunk').error.message).toContain('60 unique valid emails, fewer than the 100');
  // The read stage happened and is timed; nothing after it.
  expect(segmentOf(run, 'shrunk').timings).toMatchObject({ readMs: expect.any(Number), sendMs: null });

  const renamed = segmentOf(run, 'renamed');
  expect(renamed).toMatchObject({ status: 'failed', reason: 'EMAIL_FIELD_MISSING', rejectionsUrl: null });
  expect(renamed.error.message).toContain("has no field 'email'");
  expect(renamed.error.message).toContain('work_email');
  expect(renamed.error.message).toContain('Edit the export');

  const gone = segmentOf(run, 'gone');
  expect(gone).toMatchObject({ status: 'failed', reason: 'SEGMENT_NOT_FOUND' });
  expect(gone.error.message).toContain("Segment 'gone' was not found");

  const grown = segmentOf(run, 'grown');
  expect(grown).toMatchObject({ status: 'failed', reason: 'SEGMENT_TOO_LARGE', counts: { sent: 0 } });
  expect(grown.error.message).toContain('more than 200 unique valid emails');
  expect(grown.error.message).toContain('contract limit');

  // Only the segment that succeeded reached RollWorks.
  expect(stack.simulator.state.audiences.size).toBe(1);
});

test('rejection reports download as CSV from each segment’s rejectionsUrl (names URL-encoded)', async () => {
  const connection = stack.connections.add();
  await writeCsv(SPECIAL, 'email', [...emails('dl', 120), ...INVALID]);
  await writeCsv('clean', 'email', emails('clean', 120));
  const exportId = await createExport(connection.id, [SPECIAL, 'clean']);
  const runId = await startRun(exportId);

  const notRead = await api('GET', `/api/runs/${runId}/segments/clean/rejections`);
  expect(notRead.status).toBe(404);
  expect(notRead.headers.get('content-type')).toContain('application/problem+json');
  expect(await notRead.json()).toMatchObject({ code: 'REJECTIONS_NOT_FOUND', field: 'segment' });

  await stack.drainQueueThroughWorker();
  const run = await readRun(runId);
  const vip = segmentOf(run, SPECIAL);
  expect(vip.rejectionsUrl).toBe(`/api/runs/${runId}/segments/${encodeURIComponent(SPECIAL)}/rejections`);

  expect((await api('GET', vip.rejectionsUrl, { as: 'Exports.Runner' })).status).toBe(403);
  for (const role of ['Exports.Viewer', 'Exports.Contributor', 'Exports.Admin'] as const) {
    const response = await api('GET', vip.rejectionsUrl, { as: role });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.csv"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe(`rejections-${runId}-${SPECIAL}.csv`);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('blob,row,reason,email');
    expect(lines).toHaveLength(1 + INVALID.length);
    // The last rows of the partition, in order; emails masked, never whole.
    expect(lines[1].startsWith(`${SPECIAL}/part-00000.csv,`)).toBe(true);
    const rows = lines.slice(1).map((line) => Number(line.split(',')[1]));
    expect([121, 122]).toContain(rows[0]);
    expect(rows).toEqual([0, 1, 2, 3].map((i) => rows[0] + i));
    for (const value of INVALID) expect(lines.join('\n')).not.toContain(value);
    expect(lines[2]).toContain('s***@n***');
  }

  const clean = segmentOf(run, 'clean');
  expect(clean.rejectionsUrl).toBeNull();
  const none = await api('GET', `/api/runs/${runId}/segments/clean/rejections`);
  expect(none.status).toBe(404);
  expect(((await none.json()) as JsonBody).detail).toContain('no row was rejected');

  const unknownSegment = await api(
    'GET',
    `/api/runs/${runId}/segments/${encodeURIComponent('VIP')}/rejections`,
  );
  expect(unknownSegment.status).toBe(404);
  expect(await unknownSegment.json()).toMatchObject({ code: 'SEGMENT_NOT_IN_RUN', field: 'segment' });
  const unknownRun = await api('GET', `/api/runs/run_doesnotexist/segments/clean/rejections`);
  expect(unknownRun.status).toBe(404);
  expect(await unknownRun.json()).toMatchObject({ code: 'RUN_NOT_FOUND' });
  expect((await api('GET', vip.rejectionsUrl, { as: 'none' })).status).toBe(401);
});

test('RollWorks-side failures: request too large, mass removal blocked, reauthorization required', async () => {
  const connection = stack.connections.add();
  await writeCsv('churn', 'email', emails('churn', 300));
  await writeCsv('huge', 'email', emails('huge', 600));
  const exportId = await createExport(connection.id, ['churn', 'huge']);
  const first = await startRun(exportId);
  await stack.drainQueueThroughWorker();
  const firstRun = await readRun(first);
  expect(segmentOf(firstRun, 'churn')).toMatchObject({ status: 'succeeded', counts: { sent: 300 } });
  const huge = segmentOf(firstRun, 'huge');
  expect(huge).toMatchObject({ status: 'failed', reason: 'REQUEST_TOO_LARGE', counts: { valid: 600 } });
  expect(huge.error.message).toContain('nothing was sent');
  expectExplained(firstRun);

  await writeCsv('churn', 'email', emails('churn', 300, 1000));
  const second = await startRun(exportId);
  await stack.drainQueueThroughWorker();
  const secondRun = await readRun(second);
  const churn = segmentOf(secondRun, 'churn');
  expect(churn).toMatchObject({
    status: 'failed',
    reason: 'MASS_REMOVAL_BLOCKED',
    counts: { valid: 300, sent: 0, added: 300, removed: 300 },
  });
  expect(churn.error.message).toContain('would remove 300 of the audience');
  expect(churn.error.message).toContain('run with force');
  // The read is timed; nothing was sent.
  expect(churn.timings).toMatchObject({ readMs: expect.any(Number), sendMs: null, snapshotMs: null });

  // A connection whose sign-in RollWorks revoked.
  const revoked = stack.connections.add();
  await writeCsv('revoked', 'email', emails('revoked', 120));
  const revokedExport = await createExport(revoked.id, ['revoked']);
  const service = stack.connections.service as { tokenProvider: (id: string) => unknown };
  const tokenProvider = service.tokenProvider.bind(service);
  service.tokenProvider = (id: string) =>
    id === revoked.id
      ? {
          get: async () => 'revoked-access-token',
          refresh: async () => {
            throw new ConnectionNotAuthorizedError(id, 'reauthorizationRequired', REAUTHORIZATION_MESSAGE);
          },
        }
      : tokenProvider(id);
  try {
    const revokedRun = await startRun(revokedExport);
    await stack.drainQueueThroughWorker();
    const state = segmentOf(await readRun(revokedRun), 'revoked');
    expect(state).toMatchObject({ status: 'failed', reason: 'INVALID_GRANT', audience: null });
    expect(state.error.message).toContain('An administrator must authorize the connection again');
  } finally {
    service.tokenProvider = tokenProvider;
  }

  // A connection marked for reauthorization is not even tried.
  const stale = stack.connections.add();
  await writeCsv('stale', 'email', emails('stale', 120));
  const staleExport = await createExport(stale.id, ['stale']);
  stack.connections.set(stale.id, { status: 'reauthorizationRequired' });
  const staleRun = await startRun(staleExport);
  await stack.drainQueueThroughWorker();
  const staleState = segmentOf(await readRun(staleRun), 'stale');
  expect(staleState).toMatchObject({ status: 'failed', reason: 'CONNECTION_NOT_READY' });
  expect(staleState.error.message).toContain('must be authorized again');
  expect(staleState.error.message).toContain('run the export again');
  expect(staleState.error.message).not.toContain('reauthorizationRequired');
});

test('canceled and skipped segments say who or what stopped them', async () => {
  const connection = stack.connections.add();
  await writeCsv('weekly', 'email', emails('weekly', 120));
  const exportId = await createExport(connection.id, ['weekly']);
  const runId = await startRun(exportId);

  const scheduled = await stack.services.runs.startScheduled(exportId, new Date('2026-05-04T10:00:00Z'));
  const skipped = await readRun(scheduled!.id);
  expect(skipped.status).toBe('skipped');
  expect(segmentOf(skipped, 'weekly')).toMatchObject({
    status: 'skipped',
    reason: 'previousRunInProgress',
    error: { code: 'PREVIOUS_RUN_IN_PROGRESS' },
  });
  expect(segmentOf(skipped, 'weekly').error.message).toContain(
    `run ${runId} of the export was still in progress`,
  );
  expectExplained(skipped);

  expect((await api('POST', `/api/runs/${runId}/cancel`, { as: 'Exports.Runner' })).status).toBe(200);
  await stack.drainQueueThroughWorker();
  const canceled = await readRun(runId);
  expect(canceled.status).toBe('canceled');
  expect(segmentOf(canceled, 'weekly')).toMatchObject({
    status: 'canceled',
    reason: 'canceled',
    error: {
      code: 'CANCELED',
      message: 'The run was canceled by Runner user-1 before this segment finished.',
    },
  });
  expect(
    [...stack.simulator.state.audiences.values()].some((audience) => audience.name.includes('weekly')),
  ).toBe(false);
});

test('waiting for the daily request budget: status, reason, sentence and a structured resumesAt', async () => {
  const connection = stack.connections.add();
  await writeCsv('later', 'email', emails('later', 120));
  const exportId = await createExport(connection.id, ['later']);
  for (let chunk = 100_000; chunk >= 1; chunk = Math.floor(chunk / 2)) {
    while ((await stack.services.requestBudget.tryConsume(chunk)).ok) {
      // keep taking this much while it fits
    }
  }
  const runId = await startRun(exportId);
  await stack.drainQueueThroughWorker();

  const run = await readRun(runId);
  expect(run.status).toBe('running');
  const state = segmentOf(run, 'later');
  const now = new Date();
  const nextUtcMidnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  expect(state).toMatchObject({
    status: 'waitingForQuota',
    reason: 'DAILY_BUDGET_EXHAUSTED',
    error: { code: 'DAILY_BUDGET_EXHAUSTED' },
    resumesAt: nextUtcMidnight.toISOString(),
    progress: null,
  });
  expect(state.error.message).toContain(`resumes after ${nextUtcMidnight.toISOString()}`);
  expectExplained(run);
});
