import { segmentTimings } from '../model/run';
import { connectionRemoved, exportRemoved, segmentRemoved, verdictError } from '../runs/segmentExplanation';
import { audienceName } from './audienceName';
import { diffSorted } from './memberDiff';
import { decide, memberLimits, type Verdict } from './segmentDecision';
import { Canceled, Removed, type SegmentJob, type SegmentRecorder, type SegmentTarget } from './segmentJob';
import { readSegment } from './segmentRead';
import { createSegmentSend } from './segmentSend';
import type { WorkerPorts } from './workerPorts';

/** One attempt at a segment: load what it goes to, read it, decide, then act on the verdict. */
export function createSegmentExport(
  ports: WorkerPorts,
  recorder: SegmentRecorder,
  options: { progressIntervalMs: number },
) {
  const assertNotCanceled = async (job: SegmentJob): Promise<void> => {
    const run = await ports.runs.get(job.message.runId);
    if (!run || run.status === 'canceled') throw new Canceled();
  };
  const now = () => ports.clock.now();

  /** What the segment goes to; Removed when the export, the segment or the connection is gone. */
  async function load(job: SegmentJob): Promise<SegmentTarget> {
    const exportConfig = await ports.exports.get(job.message.exportId);
    if (!exportConfig) throw new Removed(exportRemoved(job.message.exportId));
    if (!exportConfig.segments.includes(job.message.segment)) {
      throw new Removed(segmentRemoved(job.message.segment));
    }
    const connection = exportConfig.connectionId
      ? await ports.connections.get(exportConfig.connectionId)
      : null;
    if (!connection) throw new Removed(connectionRemoved());
    return { exportConfig, connection, destination: ports.destinations.get(connection.type) };
  }
  // Right before sending, the run must still be wanted: not canceled, and nothing of it removed
  // (a run queued before a removal sends nothing).
  const send = createSegmentSend(ports, recorder, async (job) => {
    await assertNotCanceled(job);
    await load(job);
  });

  return async function exportSegment(job: SegmentJob): Promise<void> {
    const { runId, exportId, segment } = job.message;
    const target = await load(job);
    job.target = target;
    const suppressions = ports.suppressions.load(target.connection.id, target.destination.members.hash);
    suppressions.catch(() => undefined); // awaited (and thrown) by the read
    const startedAt = now().toISOString();
    await recorder.update(job.message, (current) => ({
      status: 'running',
      reason: null,
      stalledSince: null,
      startedAt: current.startedAt ?? startedAt,
      progress: { rowsRead: 0, updatedAt: startedAt },
    }));

    // The last sent list downloads while the segment is read (it is needed right after).
    const previousSnapshot = ports.snapshots.read(exportId, segment).then(
      (snapshot) => ({ snapshot, error: undefined }),
      (error: unknown) => ({ snapshot: undefined, error }),
    );
    const limits = memberLimits(target.destination.limits, target.connection.profileLimit);
    const { collector, filter, readMs } = await readSegment(
      ports,
      recorder,
      job,
      target,
      limits,
      options.progressIntervalMs,
      suppressions,
    );

    const diffStarted = Date.now();
    const members = collector.sortedMembers();
    collector.members.clear();
    const { snapshot: previous, error: snapshotError } = await previousSnapshot;
    // Members suppressed since the last send leave the audience; that is no mass removal. Only the
    // removed ones are looked up: a suppressed member is never among those collected.
    const diff = previous
      ? diffSorted(previous.members, members, (member) => filter.isSuppressed(member))
      : { added: members.length, removed: 0, removedWhere: 0 };
    const change = { added: diff.added, removed: diff.removed, removedBySuppression: diff.removedWhere };
    const diffMs = Date.now() - diffStarted;
    const verdict = decide({
      read: job.counts.read,
      valid: job.counts.valid,
      limits,
      previous: previous ? { ...previous, memberCount: previous.members.length } : null,
      change,
      run: { id: runId, dryRun: job.run.dryRun, force: job.run.force },
      now: now(),
      policy: {
        resendAfterDays: target.destination.limits.resendAfterDays,
        massRemovalMaxShare: ports.settings.MASS_REMOVAL_MAX_SHARE,
        massRemovalMinCount: ports.settings.MASS_REMOVAL_MIN_COUNT,
      },
    });
    // A segment outside the limits fails whatever the previous send or the run's state.
    if (verdict.kind === 'tooLarge' || verdict.kind === 'tooSmall') {
      return recorder.fail(job, verdictError(verdict, target.destination.name));
    }
    if (snapshotError !== undefined) throw snapshotError;
    await assertNotCanceled(job);
    job.counts = { ...job.counts, sent: 0, added: change.added, removed: change.removed };
    const name = audienceName(target.exportConfig, segment);
    const timings = { readMs, diffMs };
    if (verdict.kind === 'send') return send(job, target, { verdict, name, members, change, timings });
    return conclude(job, target, verdict, name, { ...timings, totalMs: Date.now() - job.startedMs });
  };

  /** Records a verdict that sends nothing. */
  async function conclude(
    job: SegmentJob,
    target: SegmentTarget,
    verdict: Exclude<Verdict, { kind: 'send' | 'tooLarge' | 'tooSmall' }>,
    name: string,
    timings: { readMs: number; diffMs: number; totalMs: number },
  ): Promise<void> {
    const done = { status: 'succeeded' as const, error: null, timings: segmentTimings(timings) };
    switch (verdict.kind) {
      case 'massRemovalBlocked':
        return recorder.fail(job, verdictError(verdict, target.destination.name));
      case 'alreadySent':
        await recorder.finish(job.message, {
          ...done,
          reason: null,
          counts: { ...job.counts, ...verdict.result },
          audience: { id: verdict.audienceId, name },
        });
        return;
      case 'dryRun':
        await recorder.finish(job.message, { ...done, reason: 'dryRun', counts: job.counts });
        job.logger.info('dry run finished', { ...job.ids, ...job.counts, readMs: timings.readMs });
        return;
      case 'unchanged':
        await recorder.finish(job.message, {
          ...done,
          reason: 'unchanged',
          counts: job.counts,
          audience: verdict.audienceId ? { id: verdict.audienceId, name } : null,
        });
        job.logger.info('segment unchanged; nothing sent', {
          ...job.ids,
          valid: job.counts.valid,
          readMs: timings.readMs,
        });
    }
  }
}
