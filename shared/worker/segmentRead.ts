import { emptyCounts, segmentTimings } from '../model/run';
import { MemberCollector } from './memberCollector';
import type { DigestList } from '../suppressions/digestList';
import { MemberFilter } from './memberFilter';
import { RejectionReport, rejectionsUrl } from './rejectionReport';
import type { MemberLimits } from './segmentDecision';
import { Canceled, type SegmentJob, type SegmentRecorder, type SegmentTarget } from './segmentJob';
import type { WorkerPorts } from './workerPorts';

export interface SegmentRead {
  collector: MemberCollector;
  /** The suppression list and consent filter the rows went through. */
  filter: MemberFilter;
  readMs: number;
}

/**
 * Reads the segment into a collector (normalize, validate, hash, de-duplicate, stop past the
 * limit), writing progress to the run and heartbeats to the lease as it goes, then records the
 * counts and saves the rejected rows.
 */
export async function readSegment(
  ports: WorkerPorts,
  recorder: SegmentRecorder,
  job: SegmentJob,
  target: SegmentTarget,
  limits: MemberLimits,
  progressIntervalMs: number,
  /** The connection's suppression list, loading since the job started. */
  suppressions: Promise<DigestList>,
): Promise<SegmentRead> {
  const { runId, segment } = job.message;
  const rejections = new RejectionReport();
  const memberHash = target.destination.members.hash;
  const { consent, hashEmails, emailField } = target.exportConfig;
  const filter = new MemberFilter(memberHash, await suppressions, consent);
  const collector = new MemberCollector(
    { hash: memberHash, hashEmails, limit: limits.max, filter },
    rejections,
  );
  const abort = new AbortController();
  let nextProgressAt = Date.now() + progressIntervalMs;
  try {
    const batches = ports.segments.readField(segment, emailField, {
      signal: abort.signal,
      alsoField: consent?.field,
    });
    for await (const batch of batches) {
      collector.addBatch(batch);
      if (collector.overLimit) break;
      if (Date.now() < nextProgressAt) continue;
      nextProgressAt = Date.now() + progressIntervalMs;
      const updated = await recorder.update(job.message, () => ({
        progress: { rowsRead: collector.read, updatedAt: ports.clock.now().toISOString() },
      }));
      if (updated.status === 'canceled') throw new Canceled();
    }
  } finally {
    abort.abort();
  }
  const readMs = Date.now() - job.startedMs;
  job.counts = { ...emptyCounts(), ...collector.counts() };

  if (rejections.size > 0) await ports.rejections.save(runId, segment, rejections);
  await recorder.update(job.message, () => ({
    rejectionsUrl: rejections.size > 0 ? rejectionsUrl(runId, segment) : null,
    counts: job.counts,
    timings: segmentTimings({ readMs, totalMs: Date.now() - job.startedMs }),
  }));
  return { collector, filter, readMs };
}
