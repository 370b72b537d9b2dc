import { createExport, deleteExport, updateExport } from '../../functions/routes/exportRoutes';
import { getRun, startRun } from '../../functions/routes/runRoutes';
import { exportBody, principal, startExportStack, type ExportStack } from './support/exportStack';

/** Runs queued before a removal, processed by the real worker afterwards; refusals before anything is removed. */
let stack: ExportStack;

beforeAll(async () => {
  stack = await startExportStack();
  await stack.writeSegment('newsletter', { rows: 150 });
  await stack.writeSegment('loyal', { rows: 120 });
});
afterAll(() => stack?.stop());
beforeEach(() => stack.clearQueue());

async function exported(segments = ['newsletter', 'loyal']) {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, segments),
  });
  const exportId = created.body.id as string;
  await run(exportId);
  await stack.drainQueueThroughWorker();
  return { exportId, connectionId: connection.id, body: exportBody(connection.id, segments) };
}
const run = async (exportId: string) =>
  (
    await stack.call(startRun, {
      method: 'POST',
      path: `/api/exports/${exportId}/runs`,
      params: { id: exportId },
      body: { force: true },
    })
  ).body.id as string;
const readRun = async (runId: string) =>
  (await stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId } })).body;
const remove = (exportId: string, audiences?: string) =>
  stack.call(deleteExport, {
    method: 'DELETE',
    path: `/api/exports/${exportId}${audiences ? `?audiences=${audiences}` : ''}`,
    params: { id: exportId },
  });
const writes = () =>
  stack.simulator.state.snapshot(false).requestLog.filter((entry) => entry.method === 'POST').length;

test('a run queued before the export is deleted sends nothing: its segments end canceled, EXPORT_REMOVED', async () => {
  const { exportId } = await exported();
  await stack.writeSegment('newsletter', { rows: 160 }); // a change the queued run would send
  const audiences = stack.simulator.state.audiences.size;
  const before = writes();
  const runId = await run(exportId);
  expect((await remove(exportId)).status).toBe(204);

  expect(await stack.drainQueueThroughWorker()).toBe(2);
  const done = await readRun(runId);
  expect(done.status).toBe('canceled');
  for (const segment of done.segments) {
    expect(segment).toMatchObject({
      status: 'canceled',
      reason: 'EXPORT_REMOVED',
      error: { code: 'EXPORT_REMOVED', message: expect.stringContaining('nothing was sent') },
    });
  }
  expect(writes()).toBe(before);
  expect(stack.simulator.state.audiences.size).toBe(audiences);
});

test('an export deleted while the worker reads the segment: the check right before sending stops it', async () => {
  const { exportId } = await exported(['newsletter']);
  await stack.writeSegment('newsletter', { rows: 170 });
  const before = writes();
  const runId = await run(exportId);
  const exports = stack.services.exports;
  const get = exports.get;
  let reads = 0;
  // The worker reads the export when it starts and again right before sending: the delete lands between.
  exports.get = async (id) => {
    if (id === exportId && ++reads === 2) await exports.remove(exportId, principal('Exports.Admin'));
    return get(id);
  };
  try {
    await stack.drainQueueThroughWorker();
  } finally {
    exports.get = get;
  }
  expect(reads).toBe(2);
  expect((await readRun(runId)).segments[0]).toMatchObject({
    status: 'canceled',
    reason: 'EXPORT_REMOVED',
    counts: { read: 170 },
  });
  expect(writes()).toBe(before);
});

test('a run queued before a segment is removed sends nothing for that segment (SEGMENT_REMOVED)', async () => {
  const { exportId, body } = await exported();
  const runId = await run(exportId);
  const updated = await stack.call(updateExport, {
    method: 'PUT',
    path: `/api/exports/${exportId}`,
    params: { id: exportId },
    body: { ...body, segments: ['newsletter'] },
  });
  expect(updated.status).toBe(200);
  await stack.drainQueueThroughWorker();
  const done = await readRun(runId);
  const loyal = done.segments.find((s: { segment: string }) => s.segment === 'loyal');
  expect(loyal).toMatchObject({ status: 'canceled', reason: 'SEGMENT_REMOVED' });
});

test('a run queued before its connection is deleted sends nothing (CONNECTION_REMOVED)', async () => {
  const { exportId, connectionId } = await exported(['newsletter']);
  const before = writes();
  const runId = await run(exportId);
  stack.connections.remove(connectionId);
  await stack.drainQueueThroughWorker();
  expect((await readRun(runId)).segments[0]).toMatchObject({
    status: 'canceled',
    reason: 'CONNECTION_REMOVED',
  });
  expect(writes()).toBe(before);
});

test('deactivate is refused before anything is deleted when the connection is gone or not ready', async () => {
  const gone = await exported(['newsletter']);
  stack.connections.remove(gone.connectionId);
  const refused = await remove(gone.exportId, 'deactivate');
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ code: 'CONNECTION_NOT_FOUND', field: 'audiences' });

  const expired = await exported(['newsletter']);
  stack.connections.set(expired.connectionId, { status: 'reauthorizationRequired' });
  const notReady = await remove(expired.exportId, 'deactivate');
  expect(notReady.status).toBe(409);
  expect(notReady.body).toMatchObject({ code: 'CONNECTION_NOT_READY', field: 'audiences' });

  // Nothing was removed: the export and its last sent list are still there.
  for (const { exportId } of [gone, expired]) {
    expect(await stack.services.exports.get(exportId)).not.toBeNull();
    const snapshot = stack.services.storage
      .stateContainer()
      .getBlobClient(`snapshots/${encodeURIComponent(exportId)}/newsletter.txt`);
    expect(await snapshot.exists()).toBe(true);
  }
  expect((await remove(gone.exportId, 'bogus')).status).toBe(422);
});
