import { signLocalToken } from '../../dev/localAuth';
import { apiClient, type ApiClient } from '../../dev/demo/apiClient';
import { readyConnection } from '../../dev/readyConnection';
import { DEMO_ADVERTISABLES } from '../../dev/simulator';
import { loadConfig } from '../../shared/config/config';
import { createStorageClients } from '../../shared/storage/clients';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * `schedule.trigger: segmentUpdated` with nothing but the app's own timer on the local host: the
 * scheduler fires every 2 s, a folder counts as complete after 3 quiet seconds. No test calls a tick.
 */
const DEBOUNCE_SECONDS = 3;
const SEGMENT = 'weekly-refresh';
let stack: TestStack;
let admin: ApiClient;

interface RunSummary {
  id: string;
  status: string;
  createdAt: string;
  trigger: { type: string; segments?: string[] };
  segments: { segment: string; status: string; counts: { sent: number }; audience: { id: string } | null }[];
}

beforeAll(async () => {
  stack = await startTestStack({
    settings: { SCHEDULER_CRON: '*/2 * * * * *', SEGMENT_DEBOUNCE_SECONDS: String(DEBOUNCE_SECONDS) },
    queues: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 5000 },
  });
  admin = apiClient(
    stack.urls.api,
    await signLocalToken({ roles: ['Exports.Admin'], sub: 'admin', name: 'Ada' }),
  );
}, 120_000);
afterAll(() => stack?.stop());

const runsOf = async (exportId: string) =>
  (await admin.expect<{ runs: RunSummary[] }>(200, 'GET', `/exports/${exportId}/runs`)).runs;

/** Replaces the segment folder's one partition with `count` members, as an upstream refresh would. */
async function writeSegment(count: number): Promise<number> {
  const container = createStorageClients(loadConfig({ ...stack.settings })).segmentsContainer();
  await container.createIfNotExists();
  const csv = `Email\n${Array.from({ length: count }, (_, i) => `reader${i}@example.com`).join('\n')}\n`;
  await container.getBlockBlobClient(`${SEGMENT}/part-00000.csv`).upload(csv, Buffer.byteLength(csv));
  return Date.now();
}

/** Polls the export's runs until `count` of them succeeded; the time-out fails with what there was. */
async function succeededRuns(exportId: string, count: number, timeoutMs: number): Promise<RunSummary[]> {
  const deadline = Date.now() + timeoutMs;
  let runs: RunSummary[] = [];
  while (Date.now() < deadline) {
    runs = await runsOf(exportId);
    if (runs.filter((run) => run.status === 'succeeded').length >= count) return runs;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`expected ${count} succeeded run(s), found: ${JSON.stringify(runs)}`);
}

const audienceSize = (run: RunSummary) =>
  stack.simulator!.state.audiences.get(run.segments[0].audience!.id)?.members.size;

it('new segment data starts its export by itself once quiet, at most once per minInterval; unchanged data starts nothing', async () => {
  const connection = await readyConnection(admin, { displayName: 'Timer RollWorks', access: 'admins' });
  let writtenAt = await writeSegment(150);
  const created = await admin.expect<{ id: string }>(201, 'POST', '/exports', {
    displayName: 'Follows the data',
    connectionId: connection.id,
    advertiserId: DEMO_ADVERTISABLES[0].eid,
    emailField: 'Email',
    segments: [SEGMENT],
    schedule: { enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 1 },
  });

  // never exported: runs within the debounce plus a tick (and the run itself), with nobody asking
  const [first] = await succeededRuns(created.id, 1, (DEBOUNCE_SECONDS + 2) * 1000 + 20_000);
  expect(first.trigger).toMatchObject({ type: 'segmentUpdated', segments: [SEGMENT] });
  expect(Date.now() - writtenAt).toBeGreaterThanOrEqual(DEBOUNCE_SECONDS * 1000);
  expect(audienceSize(first)).toBe(150);

  // unchanged: more ticks start nothing
  await new Promise((resolve) => setTimeout(resolve, (DEBOUNCE_SECONDS + 4) * 1000));
  expect(await runsOf(created.id)).toHaveLength(1);

  // rewritten upstream: one more run, a minute after the first at the earliest
  writtenAt = await writeSegment(160);
  const runs = await succeededRuns(created.id, 2, 60_000 + 30_000);
  expect(runs).toHaveLength(2);
  const second = runs.find((run) => run.id !== first.id)!;
  expect(second.trigger).toMatchObject({ type: 'segmentUpdated', segments: [SEGMENT] });
  expect(Date.now() - writtenAt).toBeGreaterThanOrEqual(DEBOUNCE_SECONDS * 1000);
  // minInterval counts from the tick that started the first run, a few ms before its record
  expect(Date.parse(second.createdAt) - Date.parse(first.createdAt)).toBeGreaterThanOrEqual(59_000);
  expect(audienceSize(second)).toBe(160);
}, 180_000);
