import { signLocalToken } from '../../dev/localAuth';
import { apiClient, type ApiClient } from '../../dev/demo/apiClient';
import { readyConnection } from '../../dev/readyConnection';
import { generateSegment } from '../../dev/segmentGenerator';
import { DEMO_ADVERTISABLES } from '../../dev/simulator';
import { loadConfig } from '../../shared/config/config';
import { createStorageClients, type StorageClients } from '../../shared/storage/clients';
import { snapshotBlobName } from '../../shared/worker/snapshotStore';
import { startTestStack, type TestStack } from '../support/stack';

/** The whole app on the local stack: real HTTP, the real worker and deactivation functions, the simulator. */
let stack: TestStack;
let admin: ApiClient;
let storage: StorageClients;
let connectionId: string;
const SEGMENTS = ['newsletter', 'loyal'];

beforeAll(async () => {
  stack = await startTestStack({ queues: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 2000 } });
  storage = createStorageClients(loadConfig({ ...stack.settings }));
  const container = storage.segmentsContainer();
  await container.createIfNotExists();
  for (const [i, name] of SEGMENTS.entries()) {
    await generateSegment(container, name, 150 + i * 10, { writeManifest: true, seed: i + 1 });
  }
  admin = apiClient(
    stack.urls.api,
    await signLocalToken({ roles: ['Exports.Admin'], sub: 'admin', name: 'Ada' }),
  );
  connectionId = (await readyConnection(admin, { displayName: 'RollWorks', access: 'admins' })).id;
}, 120_000);
afterAll(() => stack?.stop());

const sim = () => stack.simulator!.state;
const body = (segments: string[]) => ({
  displayName: `Discontinue ${Math.random().toString(36).slice(2, 8)}`,
  connectionId,
  advertiserId: DEMO_ADVERTISABLES[0].eid,
  emailField: 'Email',
  segments,
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Run = {
  status: string;
  segments: {
    segment: string;
    status: string;
    reason: string;
    error: { code: string; message: string } | null;
    audience: { id: string } | null;
  }[];
};
const finished = (runId: string) =>
  until(
    () => admin.expect<Run>(200, 'GET', `/runs/${runId}`),
    (run) => !['queued', 'running'].includes(run.status),
    `run ${runId} to finish`,
  );

/** An export whose segments were sent once: one audience per segment at the simulator. */
async function exportedOnce(segments = SEGMENTS) {
  const created = await admin.expect<{ id: string }>(201, 'POST', '/exports', body(segments));
  const run = await admin.expect<{ id: string }>(202, 'POST', `/exports/${created.id}/runs`, {});
  const done = await finished(run.id);
  expect(done.status).toBe('succeeded');
  const audiences = Object.fromEntries(done.segments.map((s) => [s.segment, s.audience!.id]));
  return { exportId: created.id, audiences, request: body(segments) };
}

const snapshotExists = (exportId: string, segment: string) =>
  storage.stateContainer().getBlobClient(snapshotBlobName(exportId, segment)).exists();

type Discontinued = {
  exportExists: boolean;
  audiences: { segment: string; status: string; mode: string; audience: { id: string } | null }[];
};

test('DELETE ?audiences=deactivate leaves the audiences inactive at RollWorks and no snapshot behind', async () => {
  const { exportId, audiences } = await exportedOnce();
  expect(await snapshotExists(exportId, 'newsletter')).toBe(true);

  const response = await admin.call<Discontinued>('DELETE', `/exports/${exportId}?audiences=deactivate`);
  expect(response.status).toBe(202);
  expect(response.headers.get('location')).toBe(`/api/exports/${exportId}/discontinued`);
  expect(response.body.audiences.map((a) => [a.segment, a.status]).sort()).toEqual([
    ['loyal', 'pending'],
    ['newsletter', 'pending'],
  ]);

  const report = await until(
    () => admin.expect<Discontinued>(200, 'GET', `/exports/${exportId}/discontinued`),
    (r) => r.audiences.every((a) => a.status === 'deactivated'),
    'the deactivations',
  );
  expect(report).toMatchObject({ exportExists: false });
  for (const segment of SEGMENTS) {
    expect(sim().audiences.get(audiences[segment])?.deleted).toBe(true);
    expect(await snapshotExists(exportId, segment)).toBe(false);
  }
  expect((await admin.call('GET', `/exports/${exportId}`)).status).toBe(404);
});

test('DELETE (audiences kept by default) leaves the audiences active and no snapshot behind', async () => {
  const { exportId, audiences } = await exportedOnce();
  const response = await admin.call('DELETE', `/exports/${exportId}`);
  expect(response.status).toBe(204);
  const report = await admin.expect<Discontinued>(200, 'GET', `/exports/${exportId}/discontinued`);
  expect(report.audiences.map((a) => [a.segment, a.status, a.mode]).sort()).toEqual([
    ['loyal', 'kept', 'keep'],
    ['newsletter', 'kept', 'keep'],
  ]);
  for (const segment of SEGMENTS) {
    expect(sim().audiences.get(audiences[segment])?.deleted).toBe(false);
    expect(await snapshotExists(exportId, segment)).toBe(false);
  }
});

test('PUT dropping one segment with ?audiences=deactivate deactivates only that audience', async () => {
  const { exportId, audiences, request } = await exportedOnce();
  const updated = await admin.call<{ segments: string[] }>(
    'PUT',
    `/exports/${exportId}?audiences=deactivate`,
    { ...request, segments: ['newsletter'] },
  );
  expect(updated.status).toBe(200);
  expect(updated.body.segments).toEqual(['newsletter']);
  const report = await until(
    () => admin.expect<Discontinued>(200, 'GET', `/exports/${exportId}/discontinued`),
    (r) => r.audiences.length === 1 && r.audiences[0].status === 'deactivated',
    'the deactivation',
  );
  expect(report).toMatchObject({ exportExists: true, audiences: [{ segment: 'loyal' }] });
  expect(sim().audiences.get(audiences.loyal)?.deleted).toBe(true);
  expect(sim().audiences.get(audiences.newsletter)?.deleted).toBe(false);
  expect(await snapshotExists(exportId, 'loyal')).toBe(false);
  expect(await snapshotExists(exportId, 'newsletter')).toBe(true);
});
