import { createHash, randomUUID } from 'node:crypto';
import { DestinationError } from '../../../shared/destinations/destinationError';
import { sharedStorage } from '../../support/sharedAzurite';
import { createWorld, makeSegment, type World, type WorldBackends } from '../../worker/workerWorld';
import { createMemoryDestination, MEMORY, MEMORY_ADVERTISER } from './memoryDestination';

const SEGMENT = 'loyal';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The real worker, Azurite and no RollWorks at all: a second ad platform is one folder and one registration. */
describe('a second destination (in memory, SHA-256) through the real worker', () => {
  let backends: WorldBackends & { stop(): Promise<void> };
  beforeAll(async () => {
    const storage = await sharedStorage();
    backends = { azurite: storage, nextClientId: () => `memory-${randomUUID()}`, stop: storage.stop };
  });
  afterAll(() => backends?.stop());

  function world(limits = {}) {
    const memory = createMemoryDestination(limits);
    const w: World = createWorld(backends, {
      destination: memory.destination,
      segments: [SEGMENT],
      export: { advertiserId: MEMORY_ADVERTISER },
    });
    return { w, memory, audience: () => [...memory.audiences.values()] };
  }

  it('creates the audience with the SHA-256 digests, then replaces it with the next change', async () => {
    const { w, memory, audience } = world();
    const segment = makeSegment('memory', 150, 5, 2);
    const digest = sha256('already.hashed@example.com');
    segment.values.push(digest.toUpperCase());
    segment.expected.push(digest);
    await w.writeSegment(SEGMENT, segment);
    const first = w.startRun();
    await w.deliver(first.message());

    const state = w.runs.segment(first.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'succeeded',
      counts: { read: 158, invalid: 2, duplicates: 5, valid: 151, sent: 151, added: 151, removed: 0 },
    });
    expect(w.catalog.connections.get('conn-1')!.type).toBe(MEMORY);
    expect(audience()).toHaveLength(1);
    expect(state.audience).toEqual({ id: audience()[0].audienceId, name: audience()[0].name });
    expect([...audience()[0].members].sort()).toEqual(
      segment.expected.map((email) => (email === digest ? email : sha256(email))).sort(),
    );
    expect(memory.calls.map((c) => c.call)).toEqual(['createAudience']);
    expect(memory.calls[0].token).toBe('access-1');
    expect(w.logLines.join('\n')).not.toMatch(/\b[a-f0-9]{64}\b/);

    const changed = makeSegment('memory', 150, 0, 0, 10);
    await w.writeSegment(SEGMENT, changed);
    const second = w.startRun();
    await w.deliver(second.message());
    expect(w.runs.segment(second.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { valid: 150, sent: 150, added: 10, removed: 11 },
    });
    expect(audience()).toHaveLength(1);
    expect([...audience()[0].members].sort()).toEqual(changed.expected.map(sha256).sort());
    expect(memory.calls.map((c) => c.call)).toEqual(['createAudience', 'replaceAudience']);
  });

  it('applies the destination’s limits and names it in the message', async () => {
    const { w, memory } = world({ minMembers: 200 });
    await w.writeSegment(SEGMENT, makeSegment('few', 150));
    const run = w.startRun();
    await w.deliver(run.message());
    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({ status: 'failed', reason: 'SEGMENT_TOO_SMALL' });
    expect(state.error!.message).toContain('fewer than the 200 Memory Ads requires');
    expect(memory.calls).toHaveLength(0);
  });

  it('settles by the kind of the destination’s error: retryable re-enqueues, permanent fails', async () => {
    const { w, memory, audience } = world();
    await w.writeSegment(SEGMENT, makeSegment('faulty', 120));
    memory.faults.push(
      new DestinationError('RATE_LIMITED', 'retryable', 'Memory Ads is busy', { retryAfterMs: 7_000 }),
    );
    const run = w.startRun();
    await w.deliver(run.message(), { messageId: 'first' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'running',
      error: { code: 'RATE_LIMITED', message: 'Memory Ads is busy; retrying in 7 s.' },
    });
    expect(w.queue.sent).toEqual([{ message: run.message(), delaySeconds: 7 }]);

    await w.deliver(w.queue.sent[0].message, { messageId: 'second' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({ status: 'succeeded', error: null });
    expect(audience()).toHaveLength(1);

    await w.writeSegment(SEGMENT, makeSegment('faulty', 120, 0, 0, 5));
    memory.faults.push(new DestinationError('FORBIDDEN', 'auth', 'Memory Ads refused the token'));
    const refused = w.startRun();
    await w.deliver(refused.message());
    expect(w.runs.segment(refused.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      reason: 'FORBIDDEN',
      error: { code: 'FORBIDDEN', message: 'Memory Ads refused the token' },
    });
    expect(w.queue.sent).toHaveLength(1);
  });
});
