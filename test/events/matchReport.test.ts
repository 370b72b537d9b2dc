import { getExport } from '../../functions/routes/exportRoutes';
import { matchedCount } from '../../dev/simulator/userLists';
import { startEventStack, type EventStack } from './support';

/** The match report after the matching window, on an injected clock; the simulator matches deterministically. */
jest.setTimeout(120_000);

let events: EventStack;
const HOUR = 3_600_000;
const T0 = Date.now();

beforeAll(async () => {
  events = await startEventStack(['match.reported', 'match.dropped']);
});
afterAll(() => events?.stop());

/** Moves the app's clock to T0 + `hours`. */
const at = (hours: number) => events.stack.setNow(new Date(T0 + hours * HOUR));
const run = (exportId: string, body: unknown = {}) => events.run(exportId, body);
const delivered = () => events.delivered();

const matchedIn = (audienceId: string) =>
  matchedCount(events.stack.simulator.state.audiences.get(audienceId)!);
const userListRequests = () =>
  events.stack.simulator.state.requestLog.filter((entry) => entry.path.startsWith('/user-lists/')).length;

it('reports matched members after the window, for all audiences of an advertiser in one request, and a drop', async () => {
  const { stack } = events;
  await stack.writeSegment('match-a', { rows: 300 });
  await stack.writeSegment('match-b', { rows: 200 });
  const exportId = await events.newExport(['match-a', 'match-b']);
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
