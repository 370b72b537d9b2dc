import { getRun } from '../../functions/routes/runRoutes';
import { startEventStack, type EventStack } from './support';

/** RollWorks' replace is unverified: the simulator can append instead, and the app must notice. */
jest.setTimeout(120_000);

let events: EventStack;

beforeAll(async () => {
  events = await startEventStack(['audience.countMismatch']);
});
afterAll(() => events?.stop());
afterEach(() => {
  events.stack.simulator.state.replaceAppends = false;
});

/** Runs the export and answers its only segment as `GET /api/runs/{id}` shows it. */
async function run(exportId: string) {
  const runId = await events.run(exportId);
  const read = await events.stack.call(getRun, {
    method: 'GET',
    path: `/api/runs/${runId}`,
    params: { runId },
  });
  return read.body.segments[0];
}

const active = (name: string) =>
  [...events.stack.simulator.state.audiences.values()].filter((a) => !a.deleted && a.name === name);

it('replace: a write that removed members is read back; more held than sent is a warning and an event', async () => {
  const { stack } = events;
  await stack.writeSegment('verify-append', { rows: 300 });
  const exportId = await events.newExport(['verify-append']);
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

  expect(await events.delivered()).toEqual([
    expect.objectContaining({
      type: 'rollworks.export.audience.countMismatch',
      subject: exportId,
      data: expect.objectContaining({ segment: 'verify-append', sent: 250, code: 'AUDIENCE_COUNT_MISMATCH' }),
    }),
  ]);
});

it('replace that really replaces: no warning', async () => {
  await events.stack.writeSegment('verify-replace', { rows: 300 });
  const exportId = await events.newExport(['verify-replace']);
  await run(exportId);
  await events.stack.writeSegment('verify-replace', { rows: 250 });
  const second = await run(exportId);
  expect(second).toMatchObject({ status: 'succeeded', counts: { sent: 250 } });
  expect(second.warnings).toBeUndefined();
});

it('recreate: exactly one active audience with exactly the members, even where replace appends', async () => {
  const { stack } = events;
  stack.simulator.state.replaceAppends = true;
  await stack.writeSegment('verify-recreate', { rows: 300 });
  const exportId = await events.newExport(['verify-recreate'], { replaceStrategy: 'recreate' });
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
