import { createExport, getExport } from '../../functions/routes/exportRoutes';
import { startRun } from '../../functions/routes/runRoutes';
import { createWebhook } from '../../functions/routes/webhookRoutes';
import { matchedCount } from '../../dev/simulator/userLists';
import { exportBody, startExportStack, type ExportStack } from '../exports/support/exportStack';
import { drainWebhookQueue, startReceiver, verifiedEvents, type Receiver } from './support';

/** The match report after the matching window, on an injected clock; the simulator matches deterministically. */
jest.setTimeout(120_000);

let stack: ExportStack;
let receiver: Receiver;
let secret: string;
const HOUR = 3_600_000;
const T0 = Date.now();

beforeAll(async () => {
  stack = await startExportStack();
  receiver = await startReceiver();
  const created = await stack.call(createWebhook, {
    method: 'POST',
    path: '/api/webhooks',
    body: { url: receiver.url, events: ['match.reported', 'match.dropped'], description: 'Matching' },
  });
  secret = created.body.secret;
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

/** Moves the app's clock to T0 + `hours`. */
const at = (hours: number) => stack.setNow(new Date(T0 + hours * HOUR));

async function run(exportId: string, body: unknown = {}) {
  const started = await stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body,
  });
  expect(started.status).toBe(202);
  await stack.drainQueueThroughWorker();
  await stack.services.runEvents.idle();
}

/** The events delivered so far, signed at real time (receivers refuse old timestamps). */
async function delivered(): Promise<Record<string, unknown>[]> {
  stack.setNow(null);
  receiver.received.length = 0;
  await drainWebhookQueue(stack.services);
  return verifiedEvents(receiver, secret);
}

const matchedIn = (audienceId: string) => matchedCount(stack.simulator.state.audiences.get(audienceId)!);
const userListRequests = () =>
  stack.simulator.state.requestLog.filter((entry) => entry.path.startsWith('/user-lists/')).length;

it('reports matched members after the window, for all audiences of an advertiser in one request, and a drop', async () => {
  await stack.writeSegment('match-a', { rows: 300 });
  await stack.writeSegment('match-b', { rows: 200 });
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, ['match-a', 'match-b']),
  });
  const exportId = created.body.id;
  at(0);
  await run(exportId);
  const audiences = [...stack.simulator.state.audiences.values()];
  const audienceA = audiences.find((a) => a.name.includes('match-a'))!.id;
  const audienceB = audiences.find((a) => a.name.includes('match-b'))!.id;

  at(71);
  expect(await stack.services.matchReports.tick()).toBe(0); // RollWorks is still matching
  expect(userListRequests()).toBe(0);

  at(73);
  expect(await stack.services.matchReports.tick()).toBe(2);
  expect(userListRequests()).toBe(1); // both audiences in one request
  const reported = await delivered();
  expect(reported.map((e) => e.type)).toEqual([
    'rollworks.export.match.reported',
    'rollworks.export.match.reported',
  ]);
  const first = reported.find((e) => (e.data as { segment: string }).segment === 'match-a')!;
  expect(first).toMatchObject({
    subject: exportId,
    data: { audienceId: audienceA, sent: 300, matched: matchedIn(audienceA) },
  });
  const matchedBefore = matchedIn(audienceA);

  const view = await stack.call(getExport, {
    method: 'GET',
    path: `/api/exports/${exportId}`,
    params: { id: exportId },
  });
  expect(view.body.matchHistory).toEqual(
    expect.arrayContaining([
      {
        segment: 'match-a',
        audienceId: audienceA,
        at: new Date(T0 + 73 * HOUR).toISOString(),
        sent: 300,
        matched: matchedBefore,
        rate: Math.round((matchedBefore / 300) * 10_000) / 10_000,
      },
      expect.objectContaining({ segment: 'match-b', audienceId: audienceB, sent: 200 }),
    ]),
  );

  // Half of segment A leaves (forced past the mass-removal guard); the next report shows the drop.
  await stack.writeSegment('match-a', { rows: 150 });
  at(74);
  await run(exportId, { force: true });
  at(147);
  expect(await stack.services.matchReports.tick()).toBe(2);
  expect(userListRequests()).toBe(2);
  const matchedAfter = matchedIn(audienceA);
  expect(matchedAfter).toBeLessThan(matchedBefore * 0.7);
  const dropped = await delivered();
  expect(dropped).toEqual([
    expect.objectContaining({
      type: 'rollworks.export.match.dropped',
      data: expect.objectContaining({
        segment: 'match-a',
        sent: 150,
        matched: matchedAfter,
        previousMatched: matchedBefore,
      }),
    }),
  ]);
  const history = (
    await stack.call(getExport, { method: 'GET', path: `/api/exports/${exportId}`, params: { id: exportId } })
  ).body.matchHistory;
  expect(history.filter((p: { segment: string }) => p.segment === 'match-a')).toHaveLength(2);
});
