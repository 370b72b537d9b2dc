import { getRun, startRun } from '../../functions/routes/runRoutes';
import { createExport } from '../../functions/routes/exportRoutes';
import { exportBody, startExportStack, type ExportStack } from '../exports/support/exportStack';

let stack: ExportStack;

beforeAll(async () => {
  stack = await startExportStack();
  await stack.writeSegment('newsletter', { rows: 150 });
  await stack.writeSegment('loyal', { rows: 120 });
});
afterAll(() => stack?.stop());

const start = (exportId: string, body: unknown = {}) =>
  stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body,
  });
const read = (runId: string) =>
  stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId }, as: 'Exports.Viewer' });

test('an on-demand run, processed by the real worker, reports per segment what happened', async () => {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, ['newsletter', 'loyal']),
  });
  expect(created.status).toBe(201);
  const exportId = created.body.id as string;

  const first = await start(exportId);
  expect(first.status).toBe(202);
  // A second request while the first is in progress queues behind it.
  const second = await start(exportId, { queue: true });
  expect(second.status).toBe(202);

  // The worker handles the first run's messages; when that run ends, the queued run is enqueued.
  expect(await stack.drainQueueThroughWorker()).toBe(4);

  const done = (await read(first.body.id)).body;
  expect(done.status).toBe('succeeded');
  expect(done.startedAt).not.toBeNull();
  expect(done.finishedAt).not.toBeNull();
  const newsletter = done.segments.find((s: { segment: string }) => s.segment === 'newsletter');
  expect(newsletter).toMatchObject({
    status: 'succeeded',
    counts: { read: 150, invalid: 0, duplicates: 0, valid: 150, sent: 150, added: 150, removed: 0 },
    error: null,
  });
  expect(newsletter.audience.id).toEqual(expect.any(String));

  const rerun = (await read(second.body.id)).body;
  expect(rerun.status).toBe('succeeded');
  expect(rerun.segments.map((s: { reason: string }) => s.reason)).toEqual(['unchanged', 'unchanged']);
  expect(rerun.segments[0].counts).toMatchObject({ valid: 150, sent: 0, added: 0, removed: 0 });
});
