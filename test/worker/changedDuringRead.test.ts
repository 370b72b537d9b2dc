import { duringRead } from './fakes/faults';
import { createWorld, makeSegment, startBackends, type Backends, type World } from './workerWorld';

const SEGMENT = 'weekly';

/** A segment folder changing while the worker reads it: read again after the debounce, never a mix. */
describe('a segment that changes during the read: Azurite + RollWorks simulator over HTTP', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(() => backends?.stop());

  const container = (w: World) => w.services.storage.segmentsContainer();
  const upload = async (w: World, name: string, emails: string[]) => {
    const body = `email,first_name\n${emails.map((email, i) => `${email},Name${i}`).join('\n')}\n`;
    await container(w).getBlockBlobClient(`${SEGMENT}/${name}`).upload(body, Buffer.byteLength(body));
  };

  /** Two partitions of 150 members; `change` runs once, after the first batch of the first read. */
  async function scenario(change: (w: World) => Promise<string[]>) {
    let armed = true;
    let expected: string[] = [];
    const w: World = createWorld(backends, {
      segments: [SEGMENT],
      settings: { SEGMENT_DEBOUNCE_SECONDS: '45' },
      ports: duringRead(async () => {
        if (!armed) return;
        armed = false;
        expected = await change(w);
      }),
    });
    await w.writeSegment(SEGMENT, makeSegment('before', 300), 2);
    const run = w.startRun();
    await w.deliver(run.message(), { messageId: 'first' });
    return { w, run, expected: () => expected };
  }

  async function expectReadAgain({ w, run, expected }: Awaited<ReturnType<typeof scenario>>) {
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'queued',
      reason: 'SEGMENT_CHANGED_DURING_READ',
      error: { code: 'SEGMENT_CHANGED_DURING_READ', message: expect.stringContaining('read again in 45 s') },
    });
    expect(w.writes()).toEqual([]); // nothing was sent from the interrupted read
    expect(w.queue.sent).toEqual([{ message: run.message(), delaySeconds: 45 }]);

    await w.deliver(w.queue.sent[0].message, { messageId: 'second' });
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      error: null,
      counts: { valid: expected().length },
    });
    w.expectAudience(expected());
  }

  it('a partition rewritten before its turn fails its ETag condition (412)', async () => {
    const found = await scenario(async (w) => {
      const second = makeSegment('after', 150, 0, 0, 150).values;
      await upload(w, 'part-00001.csv', second);
      return [...makeSegment('before', 150).expected, ...makeSegment('after', 150, 0, 0, 150).expected];
    });
    await expectReadAgain(found);
  });

  it('a partition rewritten after its turn, or one added, shows in the listing after the last partition', async () => {
    const rewritten = await scenario(async (w) => {
      await upload(w, 'part-00000.csv', makeSegment('again', 150).values);
      return [...makeSegment('again', 150).expected, ...makeSegment('before', 300).expected.slice(150)];
    });
    await expectReadAgain(rewritten);

    const added = await scenario(async (w) => {
      await upload(w, 'part-00002.csv', makeSegment('extra', 20).values);
      return [...makeSegment('before', 300).expected, ...makeSegment('extra', 20).expected];
    });
    await expectReadAgain(added);
  });

  it('a folder that changes under every read fails after 10 reads, naming the cause', async () => {
    let version = 0;
    const w: World = createWorld(backends, {
      segments: [SEGMENT],
      settings: { SEGMENT_DEBOUNCE_SECONDS: '30' },
      ports: duringRead(() => upload(w, 'part-00001.csv', makeSegment(`v${++version}`, 150).values)),
    });
    await w.writeSegment(SEGMENT, makeSegment('before', 300), 2);
    const run = w.startRun();
    let message: unknown = run.message();
    for (let delivery = 1; delivery <= 10; delivery++) {
      await w.deliver(message, { messageId: `m${delivery}` });
      if (delivery < 10) {
        expect(w.runs.segment(run.runId, SEGMENT).status).toBe('queued');
        message = w.queue.sent[delivery - 1].message;
      }
    }
    expect(w.queue.sent).toHaveLength(9);
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      reason: 'SEGMENT_CHANGED_DURING_READ',
      error: { code: 'SEGMENT_CHANGED_DURING_READ', message: expect.stringContaining('each of 10 reads') },
    });
    expect(w.writes()).toEqual([]);
  });
});
