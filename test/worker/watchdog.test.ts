import { silentLogger } from '../../shared/logging/logger';
import { toRunResponse } from '../../shared/runs/runView';
import { createSegmentWatchdog } from '../../shared/worker/segmentWatchdog';
import type { WorkerPorts } from '../../shared/worker/workerPorts';
import { createWorld, makeSegment, startBackends, type Backends } from './workerWorld';

const SEGMENT = 'loyal';
const STALE_SECONDS = 120;

/**
 * A worker that dies where `point` says: that step never finishes, and from then on the process sends
 * no heartbeat and releases nothing, as after kill -9. `wake` lets the zombie fail at the end.
 */
function dyingAt(point: 'read' | 'send', victim: string) {
  let dead = false;
  let wake: (error: Error) => void = () => undefined;
  /** The first call hangs (the death); later calls, from the worker that takes over, go through. */
  const once =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      if (dead) return call(...args);
      dead = true;
      return new Promise<never>((_, reject) => (wake = reject)) as R;
    };
  const wrap = (ports: WorkerPorts): WorkerPorts => ({
    ...ports,
    leases: {
      ...ports.leases,
      heartbeat: async (runId, segment, owner, now) =>
        dead && owner === victim ? undefined : ports.leases.heartbeat(runId, segment, owner, now),
      release: async (runId, segment, owner, count) =>
        dead && owner === victim ? undefined : ports.leases.release(runId, segment, owner, count),
    },
    segments:
      point === 'read'
        ? {
            readField: (...args) => {
              if (dead) return ports.segments.readField(...args);
              const hang = once(async () => ({ done: true as const, value: undefined }));
              return { [Symbol.asyncIterator]: () => ({ next: hang }) };
            },
          }
        : ports.segments,
    snapshots:
      point === 'send' ? { ...ports.snapshots, commit: once(ports.snapshots.commit) } : ports.snapshots,
  });
  return { wrap, armed: () => dead, wake: () => wake(new Error('the zombie wakes up')) };
}

describe('watchdog: a dead worker costs minutes, not the queue visibility of ten', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(() => backends?.stop());

  it.each(['read', 'send'] as const)(
    'a worker killed mid-%s is handed over and the run finishes right',
    async (point) => {
      const dying = dyingAt(point, 'first');
      const w = createWorld(backends, {
        segments: [SEGMENT],
        ports: dying.wrap,
        settings: { RUN_STALE_AFTER_SECONDS: String(STALE_SECONDS) },
      });
      const segment = makeSegment(`watch-${point}`, 150, 3, 2);
      await w.writeSegment(SEGMENT, segment);
      const run = w.startRun();
      const first = w.deliver(run.message(), { messageId: 'first' }).catch(() => 'the zombie failed');
      await waitFor(() => dying.armed());

      // the queue is no help: the message stays invisible for the host's 10 minutes
      const watchdog = createSegmentWatchdog(w.ports);
      expect((await watchdog.tick(silentLogger)).handedOver).toBe(0); // heartbeat is fresh
      const killedAt = w.time.now.getTime();
      w.time.now = new Date(killedAt + (STALE_SECONDS + 30) * 1000); // the next tick after the stale age
      expect((await watchdog.tick(silentLogger)).handedOver).toBe(1);
      expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'stalled' });
      const view = toRunResponse((await w.runs.get(run.runId))!);
      expect(view.segments[0]).toMatchObject({
        status: 'stalled',
        reason: 'STALLED',
        stalledSince: expect.any(String),
      });
      expect((await watchdog.tick(silentLogger)).handedOver).toBe(0); // one hand-over per stall

      const handedOver = w.queue.sent.at(-1)!;
      expect(handedOver).toEqual({ message: run.message(), delaySeconds: 0 });
      await w.deliver(handedOver.message, { messageId: 'second' });
      expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
        status: 'succeeded',
        counts: { valid: 150, sent: 150 },
      });
      w.expectAudience(segment.expected);

      // the zombie wakes up and fails: it neither releases the new holder's lease nor sends again
      dying.wake();
      expect(await first).toBe('the zombie failed');
      w.expectAudience(segment.expected);
      expect(w.runs.segment(run.runId, SEGMENT).status).toBe('succeeded');
      const finishedMs = w.time.now.getTime() - killedAt;
      expect(finishedMs).toBeLessThanOrEqual(3 * 60_000);
    },
  );
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error('condition not met');
}
