import { rejectionBlobName } from '../../shared/worker/rejectionReport';
import { snapshotBlobName } from '../../shared/worker/snapshotStore';
import { makeSegment, md5, useWorlds } from './workerWorld';

const SEGMENT = 'vip customers';

describe('export worker: Azurite + RollWorks simulator over HTTP', () => {
  const { world } = useWorlds();

  it('sends a new segment: one audience with exactly the unique valid emails, counts and rejections', async () => {
    const w = world();
    const segment = makeSegment('vip', 150, 20, 6);
    await w.writeSegment(SEGMENT, segment, 2);
    const run = w.startRun();
    await w.deliver(run.message());

    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'succeeded',
      reason: null,
      error: null,
      counts: { read: 176, invalid: 6, duplicates: 20, valid: 150, sent: 150, added: 150, removed: 0 },
    });
    const audience = w.expectAudience(segment.expected);
    expect(state.audience).toEqual({ id: audience.id, name: audience.name });
    expect(audience.name).toMatch(/^Spring campaign · vip customers \[[0-9a-f]{8}\]$/);
    expect(state.rejectionsUrl).toBe(`/api/runs/${run.runId}/segments/vip%20customers/rejections`);
    const csv = (
      await w.services.storage
        .stateContainer()
        .getBlockBlobClient(rejectionBlobName(run.runId, SEGMENT))
        .downloadToBuffer()
    ).toString();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('blob,row,reason,email');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^vip customers\/part-00001\.csv,\d+,no @ in email,b\*\*\*$/);
    expect(lines[2]).toMatch(/,domain is not a valid host name,x\*\*\*@n\*\*\*$/);
    expect((await w.runs.get(run.runId))!.status).toBe('succeeded');
  });

  it('re-run of an unchanged segment sends nothing; after RESEND_AFTER_DAYS it re-sends', async () => {
    const w = world({ settings: { RESEND_AFTER_DAYS: '90' } });
    const segment = makeSegment('same', 120, 5, 2);
    await w.writeSegment(SEGMENT, segment);
    await w.deliver(w.startRun().message());
    const writesAfterFirst = w.writes().length;
    const audienceId = w.expectAudience(segment.expected).id;

    const second = w.startRun();
    await w.deliver(second.message());
    expect(w.runs.segment(second.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      reason: 'unchanged',
      counts: { read: 127, valid: 120, sent: 0, added: 0, removed: 0 },
      audience: { id: audienceId },
    });
    expect(w.writes()).toHaveLength(writesAfterFirst);

    w.time.now = new Date(w.time.now.getTime() + 91 * 86_400_000);
    const third = w.startRun();
    await w.deliver(third.message());
    expect(w.runs.segment(third.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      reason: 'resent',
      counts: { sent: 120, added: 0, removed: 0 },
    });
    expect(w.writes()).toHaveLength(writesAfterFirst + 1);
    expect(w.expectAudience(segment.expected).id).toBe(audienceId);
  });

  it('replaces the members of the same audience and reports added and removed', async () => {
    const w = world();
    await w.writeSegment(SEGMENT, makeSegment('chg', 200));
    await w.deliver(w.startRun().message());
    const firstId = w.expectAudience(makeSegment('chg', 200).expected).id;

    const changed = makeSegment('chg', 200, 0, 0, 10); // persons 10..209: 10 removed, 10 added
    await w.writeSegment(SEGMENT, changed);
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT).counts).toMatchObject({
      valid: 200,
      sent: 200,
      added: 10,
      removed: 10,
    });
    expect(w.expectAudience(changed.expected).id).toBe(firstId);
    expect(w.writes().filter((r) => r.path.startsWith('/audience/v1/segments/'))).toHaveLength(1);
  });

  it('blocks a mass removal unless the run is forced', async () => {
    const w = world({ settings: { MASS_REMOVAL_MAX_SHARE: '0.2', MASS_REMOVAL_MIN_COUNT: '100' } });
    const original = makeSegment('mass', 600);
    await w.writeSegment(SEGMENT, original);
    await w.deliver(w.startRun().message());
    const shrunk = makeSegment('mass', 450); // 150 of 600 removed = 25 %
    await w.writeSegment(SEGMENT, shrunk);
    const writesBefore = w.writes().length;

    const blocked = w.startRun();
    await w.deliver(blocked.message());
    const state = w.runs.segment(blocked.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'failed',
      reason: 'MASS_REMOVAL_BLOCKED',
      counts: { valid: 450, sent: 0, added: 0, removed: 150 },
      error: { code: 'MASS_REMOVAL_BLOCKED' },
    });
    expect(state.error!.message).toContain('remove 150 of the audience');
    expect(w.writes()).toHaveLength(writesBefore);
    w.expectAudience(original.expected);

    const forced = w.startRun({ force: true });
    await w.deliver(forced.message());
    expect(w.runs.segment(forced.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { sent: 450, removed: 150 },
    });
    w.expectAudience(shrunk.expected);
  });

  it('allows removals under the minimum count even above the share', async () => {
    const w = world({ settings: { MASS_REMOVAL_MAX_SHARE: '0.2', MASS_REMOVAL_MIN_COUNT: '100' } });
    await w.writeSegment(SEGMENT, makeSegment('few', 200));
    await w.deliver(w.startRun().message());
    const shrunk = makeSegment('few', 150); // 25 % but only 50 members
    await w.writeSegment(SEGMENT, shrunk);
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { removed: 50 },
    });
    w.expectAudience(shrunk.expected);
  });

  it('dry run reports counts and the verdict without any RollWorks call or snapshot', async () => {
    const w = world();
    const segment = makeSegment('dry', 130, 3, 3);
    await w.writeSegment(SEGMENT, segment);
    const dry = w.startRun({ dryRun: true });
    await w.deliver(dry.message());
    expect(w.runs.segment(dry.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      reason: 'dryRun',
      audience: null,
      counts: { read: 136, invalid: 3, duplicates: 3, valid: 130, sent: 0, added: 130, removed: 0 },
    });
    expect(w.requests()).toHaveLength(0);
    expect(w.audiences()).toHaveLength(0);
    const snapshot = w.services.storage
      .stateContainer()
      .getBlockBlobClient(snapshotBlobName(w.exportConfig.id, SEGMENT));
    expect(await snapshot.exists()).toBe(false);

    // a real run afterwards sends everything; a dry run of a mass removal reports the block
    await w.deliver(w.startRun().message());
    w.expectAudience(segment.expected);
    await w.writeSegment(SEGMENT, makeSegment('other', 130));
    const verdict = w.startRun({ dryRun: true });
    const writes = w.writes().length;
    await w.deliver(verdict.message());
    expect(w.runs.segment(verdict.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      reason: 'MASS_REMOVAL_BLOCKED',
      counts: { added: 130, removed: 130, sent: 0 },
    });
    expect(w.writes()).toHaveLength(writes);
    w.expectAudience(segment.expected);
  });

  it('hashing off sends the normalized plain addresses', async () => {
    const w = world({ export: { hashEmails: false } });
    const segment = makeSegment('plain', 110, 4, 1);
    await w.writeSegment(SEGMENT, segment);
    const digest = md5('already.hashed@example.com');
    segment.values.push(digest.toUpperCase());
    segment.expected.push(digest);
    await w.writeSegment(SEGMENT, segment);
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT).counts).toMatchObject({ valid: 111, sent: 111 });
    w.expectAudience(segment.expected);
  });

  it('fails a segment with fewer than 100 unique valid emails, sending nothing', async () => {
    const w = world();
    await w.writeSegment(SEGMENT, makeSegment('small', 99, 30, 10));
    const run = w.startRun();
    await w.deliver(run.message());
    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'failed',
      reason: 'SEGMENT_TOO_SMALL',
      counts: { read: 139, invalid: 10, duplicates: 30, valid: 99, sent: 0 },
    });
    expect(state.error!.message).toContain('99 unique valid emails, fewer than the 100');
    expect(w.requests()).toHaveLength(0);
    expect(w.audiences()).toHaveLength(0);
  });

  it('fails a segment over the connection’s contract limit, holding at most limit + 1 members', async () => {
    const w = world({ connection: { profileLimit: 150 } });
    await w.writeSegment(SEGMENT, makeSegment('big', 400));
    const run = w.startRun();
    await w.deliver(run.message());
    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'failed',
      reason: 'SEGMENT_TOO_LARGE',
      counts: { valid: 151, sent: 0 },
    });
    expect(state.error!.message).toContain('more than 150 unique valid emails');
    expect(state.counts.read).toBeLessThan(400);
    expect(w.requests()).toHaveLength(0);
    expect(w.audiences()).toHaveLength(0);

    const exact = makeSegment('big', 150);
    await w.writeSegment(SEGMENT, exact);
    const ok = w.startRun();
    await w.deliver(ok.message());
    expect(w.runs.segment(ok.runId, SEGMENT).status).toBe('succeeded');
    w.expectAudience(exact.expected);
  });

  it('refuses a request body over ROLLWORKS_MAX_REQUEST_BYTES before sending it', async () => {
    const w = world({ settings: { ROLLWORKS_MAX_REQUEST_BYTES: '4096' } });
    await w.writeSegment(SEGMENT, makeSegment('huge', 150));
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      reason: 'REQUEST_TOO_LARGE',
      error: { code: 'REQUEST_TOO_LARGE' },
    });
    expect(w.runs.segment(run.runId, SEGMENT).error!.message).toContain('nothing was sent');
    expect(w.requests()).toHaveLength(0);
  });

  it('fails with the segment source’s code when the mapped email field is missing', async () => {
    const w = world({ export: { emailField: 'work_email' } });
    await w.writeSegment(SEGMENT, makeSegment('field', 120));
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      error: { code: 'EMAIL_FIELD_MISSING' },
    });
    expect(w.requests()).toHaveLength(0);
  });

  it('records progress (rows read) on the run while reading', async () => {
    const w = world({ worker: { progressIntervalMs: 0 } });
    const segment = makeSegment('progress', 5000);
    await w.writeSegment(SEGMENT, segment, 3);
    const seen: number[] = [];
    const update = w.runs.updateSegment;
    w.runs.updateSegment = async (runId, name, change) => {
      const run = await update(runId, name, change);
      const progress = run.segments.find((s) => s.segment === name)!.progress;
      if (progress) seen.push(progress.rowsRead);
      return run;
    };
    const run = w.startRun();
    await w.deliver(run.message());
    // Written after each parsed chunk of the segment (here ~1,600 rows), rising to every row.
    const rising = [...new Set(seen.filter((rows) => rows > 0))];
    expect(rising.length).toBeGreaterThanOrEqual(3);
    expect(rising[0]).toBeLessThan(5000);
    expect(rising).toEqual([...rising].sort((a, b) => a - b));
    expect(rising[rising.length - 1]).toBeLessThanOrEqual(5000);
    expect(w.runs.segment(run.runId, SEGMENT).progress).toBeUndefined();
    w.expectAudience(segment.expected);
  });
});
