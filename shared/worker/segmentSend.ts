import { segmentTimings } from '../model/run';
import { connectionNotReady } from '../runs/segmentExplanation';
import { checkAudienceCount } from './audienceCheck';
import { createAudienceSender } from './audienceSender';
import type { Verdict } from './segmentDecision';
import { SegmentFailure, type SegmentJob, type SegmentRecorder, type SegmentTarget } from './segmentJob';
import type { WorkerPorts } from './workerPorts';

export interface SendInput {
  verdict: Extract<Verdict, { kind: 'send' }>;
  name: string;
  members: string[];
  change: { added: number; removed: number };
  timings: { readMs: number; diffMs: number };
}

/**
 * Sends the members to the destination, then makes them the last successful send (the snapshot the
 * next run compares with) and records the result.
 */
export function createSegmentSend(
  ports: WorkerPorts,
  recorder: SegmentRecorder,
  /** Throws Canceled or Removed when the segment must not be sent any more. */
  assertStillWanted: (job: SegmentJob) => Promise<void>,
) {
  const sendAudience = createAudienceSender(ports.audiences, () => ports.clock.now());

  return async function send(job: SegmentJob, target: SegmentTarget, input: SendInput): Promise<void> {
    const { runId, exportId, segment } = job.message;
    const { exportConfig, connection, destination } = target;
    const { members, change, name } = input;
    await assertStillWanted(job);
    if (connection.status !== 'ready') {
      throw new SegmentFailure(connectionNotReady(destination.name, connection.status));
    }
    const sendStarted = Date.now();
    const account = destination.forConnection(ports.connections.tokenProvider(connection.id));
    // The new list uploads (uncommitted) while the destination processes the members request, so it
    // adds no wall time; it is committed only after the destination accepted them.
    let staged: Promise<string> | undefined;
    const stage = (): Promise<string> => {
      if (!staged) {
        staged = ports.snapshots.stage(exportId, segment, members);
        staged.catch(() => undefined);
      }
      return staged;
    };
    const audience = await sendAudience(account, exportConfig, segment, name, members, {
      lookUpFirst: job.delivery.dequeueCount > 1 || job.requeues > 0,
      logger: job.logger,
      ids: job.ids,
      onRequestSent: () => void stage(),
    });
    const readBack = input.verdict.mode === 'create' || change.removed > 0;
    const mismatch =
      destination.readBackWrites && readBack
        ? await checkAudienceCount(account, audience.audienceId, members.length, {
            destination: destination.name,
            logger: job.logger,
            ids: job.ids,
          })
        : null;
    const sendMs = Date.now() - sendStarted;

    const snapshotStarted = Date.now();
    await ports.snapshots.commit(exportId, segment, await stage(), {
      sentAt: ports.clock.now(),
      audienceId: audience.audienceId,
      runId,
      result: { sent: members.length, added: change.added, removed: change.removed },
    });
    const snapshotMs = Date.now() - snapshotStarted;

    const timings = { ...input.timings, sendMs, snapshotMs, totalMs: Date.now() - job.startedMs };
    await recorder.finish(job.message, {
      status: 'succeeded',
      reason: input.verdict.resend ? 'resent' : null,
      counts: { ...job.counts, sent: members.length },
      audience: { id: audience.audienceId, name },
      error: null,
      warnings: mismatch ? [mismatch] : null,
      timings: segmentTimings(timings),
    });
    job.logger.info('segment sent', {
      ...job.ids,
      ...job.counts,
      sent: members.length,
      mode: input.verdict.mode,
      ...timings,
    });
  };
}
