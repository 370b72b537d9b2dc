import { createExport } from '../../functions/routes/exportRoutes';
import { getRun, startRun } from '../../functions/routes/runRoutes';
import { createWebhook } from '../../functions/routes/webhookRoutes';
import { exportBody, startExportStack, type ExportStack } from '../exports/support/exportStack';
import { drainWebhookQueue, startReceiver, verifiedEvents, type Receiver } from './support';

/** RollWorks' replace is unverified: the simulator can append instead, and the app must notice. */
jest.setTimeout(120_000);

let stack: ExportStack;
let receiver: Receiver;
let secret: string;

beforeAll(async () => {
  stack = await startExportStack();
  receiver = await startReceiver();
  const created = await stack.call(createWebhook, {
    method: 'POST',
    path: '/api/webhooks',
    body: { url: receiver.url, events: ['audience.countMismatch'], description: 'Mismatches' },
  });
  secret = created.body.secret;
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});
afterEach(() => {
  stack.simulator.state.replaceAppends = false;
});

async function newExport(segment: string, extra: Record<string, unknown> = {}): Promise<string> {
  const connection = stack.connections.add();
  const body = exportBody(connection.id, [segment], extra);
  const created = await stack.call(createExport, { method: 'POST', path: '/api/exports', body });
  expect(created.status).toBe(201);
  return created.body.id;
}

/** Runs the export and answers its only segment as `GET /api/runs/{id}` shows it. */
async function run(exportId: string) {
  const started = await stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body: {},
  });
  await stack.drainQueueThroughWorker();
  const runId = started.body.id;
  const read = await stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId } });
  return read.body.segments[0];
}

const active = (name: string) =>
  [...stack.simulator.state.audiences.values()].filter((a) => !a.deleted && a.name === name);

it('replace: a write that removed members is read back; more held than sent is a warning and an event', async () => {
  await stack.writeSegment('verify-append', { rows: 300 });
  const exportId = await newExport('verify-append');
  const first = await run(exportId);
  expect(first).toMatchObject({ status: 'succeeded', counts: { sent: 300 } });
  expect(first.warnings).toBeUndefined();

  stack.simulator.state.replaceAppends = true;
  await stack.writeSegment('verify-append', { rows: 250 });
  const second = await run(exportId);
  expect(second).toMatchObject({ status: 'succeeded', counts: { sent: 250, removed: 50 } });
  expect(second.warnings).toEqual([
    { code: 'AUDIENCE_COUNT_MISMATCH', message: expect.stringContaining('holds 300 members') },
  ]);
  expect(second.warnings[0].message).toContain('but 250 were sent');

  await stack.services.runEvents.idle();
  receiver.received.length = 0;
  await drainWebhookQueue(stack.services);
  expect(verifiedEvents(receiver, secret)).toEqual([
    expect.objectContaining({
      type: 'rollworks.export.audience.countMismatch',
      subject: exportId,
      data: expect.objectContaining({ segment: 'verify-append', sent: 250, code: 'AUDIENCE_COUNT_MISMATCH' }),
    }),
  ]);
});

it('replace that really replaces: no warning', async () => {
  await stack.writeSegment('verify-replace', { rows: 300 });
  const exportId = await newExport('verify-replace');
  await run(exportId);
  await stack.writeSegment('verify-replace', { rows: 250 });
  const second = await run(exportId);
  expect(second).toMatchObject({ status: 'succeeded', counts: { sent: 250 } });
  expect(second.warnings).toBeUndefined();
});

it('recreate: exactly one active audience with exactly the members, even where replace appends', async () => {
  stack.simulator.state.replaceAppends = true;
  await stack.writeSegment('verify-recreate', { rows: 300 });
  const exportId = await newExport('verify-recreate', { replaceStrategy: 'recreate' });
  const first = await run(exportId);
  await stack.writeSegment('verify-recreate', { rows: 250 });
  const second = await run(exportId);
  expect(second).toMatchObject({ status: 'succeeded', counts: { sent: 250 } });
  expect(second.warnings).toBeUndefined();
  expect(second.audience.id).not.toBe(first.audience.id);

  const audiences = active(second.audience.name);
  expect(audiences.map((a) => [a.id, a.members.size])).toEqual([[second.audience.id, 250]]);
  expect(stack.simulator.state.audiences.get(first.audience.id)?.deleted).toBe(true);
});
