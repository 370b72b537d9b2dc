import { afterRead, crashAfter } from './fakes/faults';
import { makeSegment, useWorlds } from './workerWorld';

const SEGMENT = 'loyal';

class InjectedCrash extends Error {}

describe('export worker reliability: Azurite + RollWorks simulator over HTTP', () => {
  const harness = useWorlds({ segments: [SEGMENT] });
  const { world } = harness;

  it('rides out a storm of 429s and 500s and ends with exactly the right audience', async () => {
    const w = world({ settings: { ROLLWORKS_RETRY_BUDGET_MS: '30000' } });
    const segment = makeSegment('storm', 300, 10, 5);
    await w.writeSegment(SEGMENT, segment);
    harness.backends.simulator.state.setFaults({ rate429: 0.5, rate500: 0.25, seed: 3 });
    const run = w.startRun();
    for (let delivery = 1; delivery <= 5; delivery++) {
      await w.deliver(run.message(), { dequeueCount: delivery });
      if (w.runs.segment(run.runId, SEGMENT).status === 'succeeded') break;
    }
    harness.backends.simulator.state.setFaults({});
    expect(w.requests().filter((r) => r.fault).length).toBeGreaterThan(2);
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'succeeded', counts: { sent: 300 } });
    w.expectAudience(segment.expected);

    // and a later change goes through the same storm to the same audience
    const changed = makeSegment('storm', 300, 0, 0, 5);
    await w.writeSegment(SEGMENT, changed);
    harness.backends.simulator.state.setFaults({ rate429: 0.5, rate500: 0.25, seed: 1 });
    const second = w.startRun();
    await w.deliver(second.message());
    harness.backends.simulator.state.setFaults({});
    expect(w.runs.segment(second.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { added: 5, removed: 5 },
    });
    w.expectAudience(changed.expected);
  });

  it('re-enqueues with a delay instead of sleeping when errors outlast the retry budget', async () => {
    const w = world({ settings: { ROLLWORKS_RETRY_BUDGET_MS: '200' } });
    const segment = makeSegment('late', 120);
    await w.writeSegment(SEGMENT, segment);
    harness.backends.simulator.state.setFaults({ rate500: 1 });
    const run = w.startRun();
    await w.deliver(run.message(), { messageId: 'first' });
    harness.backends.simulator.state.setFaults({});

    const parked = w.runs.segment(run.runId, SEGMENT);
    expect(parked.status).toBe('running');
    expect(parked.error).toMatchObject({ code: 'SERVER_ERROR' });
    expect(w.queue.sent).toHaveLength(1);
    expect(w.queue.sent[0].message).toEqual(run.message());
    expect(w.queue.sent[0].delaySeconds).toBeGreaterThanOrEqual(15);

    await w.deliver(w.queue.sent[0].message, { messageId: 'second' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'succeeded', error: null });
    w.expectAudience(segment.expected);
  });

  it('fails the segment with the last error after too many re-enqueues', async () => {
    const w = world({ settings: { ROLLWORKS_RETRY_BUDGET_MS: '50' }, worker: { maxRequeues: 2 } });
    await w.writeSegment(SEGMENT, makeSegment('giveup', 120));
    harness.backends.simulator.state.setFaults({ rate500: 1 });
    const run = w.startRun();
    let message: unknown = run.message();
    for (let delivery = 1; delivery <= 3; delivery++) {
      await w.deliver(message, { messageId: `giveup-${delivery}` });
      if (w.queue.sent.length === delivery) message = w.queue.sent[delivery - 1].message;
    }
    harness.backends.simulator.state.setFaults({});
    expect(w.queue.sent).toHaveLength(2);
    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'failed',
      reason: 'SERVER_ERROR',
      error: { code: 'SERVER_ERROR' },
    });
    expect(state.error!.message).toContain('gave up after 3 attempts');
    expect(w.audiences()).toHaveLength(0);
  });

  it('refreshes an expired access token once and finishes the export', async () => {
    const w = world();
    const segment = makeSegment('token', 125);
    await w.writeSegment(SEGMENT, segment);
    harness.backends.simulator.state.expireAccessTokens();
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT).status).toBe('succeeded');
    expect(w.requests().filter((r) => r.status === 401)).toHaveLength(1);
    w.expectAudience(segment.expected);
  });

  it('waits for the next UTC day when the daily request budget is used up, without burning 429s', async () => {
    const w = world({ settings: { ROLLWORKS_DAILY_REQUEST_BUDGET: '1' } });
    w.time.now = new Date('2026-06-15T18:30:00Z');
    const first = makeSegment('quota', 150);
    await w.writeSegment(SEGMENT, first);
    await w.deliver(w.startRun().message()); // the create uses the one request of the day
    w.expectAudience(first.expected);

    const changed = makeSegment('quota', 150, 0, 0, 3);
    await w.writeSegment(SEGMENT, changed);
    const run = w.startRun();
    await w.deliver(run.message());
    const waiting = w.runs.segment(run.runId, SEGMENT);
    expect(waiting).toMatchObject({ status: 'waitingForQuota', reason: 'DAILY_BUDGET_EXHAUSTED' });
    expect(waiting.error!.message).toContain('2026-06-16T00:00:00.000Z');
    expect((await w.runs.get(run.runId))!.status).toBe('running');
    expect(w.requests().filter((r) => r.status === 429)).toHaveLength(0);
    expect(w.requests()).toHaveLength(1);
    expect(w.queue.sent).toHaveLength(1);
    expect(w.queue.sent[0].delaySeconds).toBeGreaterThanOrEqual(5.5 * 3600);
    expect(w.queue.sent[0].delaySeconds).toBeLessThanOrEqual(5.5 * 3600 + 120);
    w.expectAudience(first.expected);

    w.time.now = new Date('2026-06-16T00:01:00Z');
    await w.deliver(w.queue.sent[0].message, { messageId: 'next-day' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { added: 3, removed: 3 },
    });
    w.expectAudience(changed.expected);
  });

  it.each(['audienceCreated', 'audienceRecorded', 'membersSent', 'snapshotWritten'] as const)(
    'a crash after step %s, then redelivery: exactly one audience with exactly the right members',
    async (step) => {
      let crash = true;
      const w = world({
        ports: crashAfter(
          step,
          () => crash,
          () => new InjectedCrash(`crash after ${step}`),
        ),
      });
      const segment = makeSegment('crash', 140, 7, 3);
      await w.writeSegment(SEGMENT, segment);
      const run = w.startRun();
      await expect(w.deliver(run.message(), { messageId: 'm1', dequeueCount: 1 })).rejects.toThrow(
        InjectedCrash,
      );
      expect(w.runs.segment(run.runId, SEGMENT).status).toBe('running');
      expect(w.runs.segment(run.runId, SEGMENT).error).toMatchObject({ code: 'WORKER_ERROR' });

      crash = false;
      await w.deliver(run.message(), { messageId: 'm1', dequeueCount: 2 });
      const state = w.runs.segment(run.runId, SEGMENT);
      expect(state).toMatchObject({
        status: 'succeeded',
        reason: null,
        error: null,
        counts: { read: 150, valid: 140, sent: 140, added: 140, removed: 0 },
      });
      const audience = w.expectAudience(segment.expected);
      expect(state.audience!.id).toBe(audience.id);
      expect(
        w
          .writes()
          .filter((r) => r.path.startsWith('/audience/v1/segments?') || r.path === '/audience/v1/segments'),
      ).toHaveLength(1);

      // the next run finds the same audience
      const next = w.startRun();
      await w.deliver(next.message());
      expect(w.runs.segment(next.runId, SEGMENT)).toMatchObject({ status: 'succeeded', reason: 'unchanged' });
      w.expectAudience(segment.expected);
    },
  );

  it('a create whose response is lost is found by name on redelivery, never created twice', async () => {
    let armed = true;
    const w = world({
      ports: afterRead(() => {
        if (armed) {
          armed = false;
          harness.backends.simulator.state.setFaults({ dropRate: 1, dropAfterProcessing: true });
        }
      }),
      settings: { ROLLWORKS_RETRY_BUDGET_MS: '100' },
    });
    const segment = makeSegment('lost', 130);
    await w.writeSegment(SEGMENT, segment);
    const run = w.startRun();
    await w.deliver(run.message(), { messageId: 'lost-1' });
    harness.backends.simulator.state.setFaults({});
    expect(w.runs.segment(run.runId, SEGMENT).status).toBe('running');
    expect(w.queue.sent).toHaveLength(1);
    expect(w.audiences()).toHaveLength(1); // the simulator did create it

    await w.deliver(w.queue.sent[0].message, { messageId: 'lost-2' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'succeeded', counts: { sent: 130 } });
    w.expectAudience(segment.expected);
  });

  it('a duplicate delivery of a finished segment does nothing', async () => {
    const w = world();
    const segment = makeSegment('dup', 110);
    await w.writeSegment(SEGMENT, segment);
    const run = w.startRun();
    await w.deliver(run.message(), { messageId: 'a' });
    const requests = w.requests().length;
    const finished = w.runs.segment(run.runId, SEGMENT);
    await w.deliver(run.message(), { messageId: 'a', dequeueCount: 2 });
    await w.deliver(run.message(), { messageId: 'b' });
    expect(w.requests()).toHaveLength(requests);
    expect(w.runs.segment(run.runId, SEGMENT)).toEqual(finished);
    w.expectAudience(segment.expected);
  });

  it('two copies of a message delivered at once: one works, the other steps back; one audience', async () => {
    const w = world();
    const segment = makeSegment('twin', 160);
    await w.writeSegment(SEGMENT, segment);
    const run = w.startRun();
    await Promise.all([
      w.deliver(run.message(), { messageId: 'copy-1' }),
      w.deliver(run.message(), { messageId: 'copy-2' }),
    ]);
    // whichever lost the lease re-enqueued itself; deliver that too
    for (const { message } of w.queue.sent.splice(0)) await w.deliver(message, { messageId: 'copy-3' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'succeeded', counts: { sent: 160 } });
    w.expectAudience(segment.expected);
  });

  it('poison: a message that kept failing marks the segment failed with its last error', async () => {
    const w = world();
    await w.writeSegment(SEGMENT, makeSegment('poison', 120));
    const get = w.catalog.exportService.get;
    w.catalog.exportService.get = async () => {
      throw new Error('export table unavailable');
    };
    const run = w.startRun();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await expect(w.deliver(run.message(), { messageId: 'p', dequeueCount: attempt })).rejects.toThrow(
        'export table unavailable',
      );
    }
    w.catalog.exportService.get = get;
    await w.worker.handlePoison(run.message(), w.logger);
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      reason: 'WORKER_ERROR',
      error: { code: 'WORKER_ERROR', message: 'Error: export table unavailable' },
    });
    expect((await w.runs.get(run.runId))!.status).toBe('failed');
    expect(w.audiences()).toHaveLength(0);

    // a poison message for a segment that already succeeded changes nothing
    const done = w.startRun();
    await w.deliver(done.message());
    await w.worker.handlePoison(done.message(), w.logger);
    expect(w.runs.segment(done.runId, SEGMENT).status).toBe('succeeded');
    w.expectAudience(makeSegment('poison', 120).expected);
  });

  it.each([
    ['not JSON at all', 'this is not json {'],
    ['base64 of garbage', Buffer.from('nope').toString('base64')],
    ['missing fields', { v: 1, kind: 'exportSegment', runId: 'r' }],
    ['unknown kind', { v: 1, kind: 'somethingElse', runId: 'r', exportId: 'e', segment: 's' }],
    ['wrong version', { v: 2, kind: 'exportSegment', runId: 'r', exportId: 'e', segment: 's' }],
  ])(
    'a malformed message (%s) is logged with its reason and dropped, not retried',
    async (_case, message) => {
      const w = world();
      await expect(w.deliver(message)).resolves.toBeUndefined();
      await expect(w.worker.handlePoison(message, w.logger)).resolves.toBeUndefined();
      expect(w.logLines.some((line) => /malformed; dropped/.test(line))).toBe(true);
      expect(w.queue.sent).toHaveLength(0);
      expect(w.requests()).toHaveLength(0);
    },
  );

  it('a run canceled before the segment starts is not sent', async () => {
    const w = world();
    await w.writeSegment(SEGMENT, makeSegment('cancel', 120));
    const run = w.startRun();
    w.runs.setCanceled(run.runId);
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'canceled', reason: 'canceled' });
    expect(w.requests()).toHaveLength(0);
    expect(w.audiences()).toHaveLength(0);
  });

  it('a cancel between stages stops the segment before anything is sent', async () => {
    let runId = '';
    const w = world({
      ports: afterRead(() => {
        if (runId) w.runs.setCanceled(runId);
      }),
    });
    const previous = makeSegment('cancel2', 120);
    await w.writeSegment(SEGMENT, previous);
    await w.deliver(w.startRun().message());
    await w.writeSegment(SEGMENT, makeSegment('cancel2', 120, 0, 0, 50));
    const writes = w.writes().length;
    const run = w.startRun();
    runId = run.runId;
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'canceled', counts: { read: 120 } });
    expect(w.writes()).toHaveLength(writes);
    w.expectAudience(previous.expected);
  });
});
