export type RunStatus =
  'queued' | 'running' | 'succeeded' | 'partiallySucceeded' | 'failed' | 'skipped' | 'canceled';

export type SegmentRunStatus =
  'queued' | 'running' | 'stalled' | 'waitingForQuota' | 'succeeded' | 'failed' | 'skipped' | 'canceled';

export interface SegmentCounts {
  read: number;
  invalid: number;
  duplicates: number;
  valid: number;
  /** Rows whose member is on the connection's suppression list: never sent (absent on older runs). */
  suppressed?: number;
  /** Rows whose consent field holds none of the export's accepted values: never sent (absent on older runs). */
  withoutConsent?: number;
  sent: number;
  added: number;
  removed: number;
}

export const emptyCounts = (): SegmentCounts => ({
  read: 0,
  invalid: 0,
  duplicates: 0,
  valid: 0,
  suppressed: 0,
  withoutConsent: 0,
  sent: 0,
  added: 0,
  removed: 0,
});

export interface SegmentRunState {
  segment: string;
  status: SegmentRunStatus;
  /** Why the segment ended as it did (e.g. `unchanged`, `dryRun`, `MASS_REMOVAL_BLOCKED`). */
  reason: string | null;
  counts: SegmentCounts;
  audience: { id: string; name: string } | null;
  error: { code: string; message: string } | null;
  /** A succeeded segment that needs a look, e.g. `AUDIENCE_COUNT_MISMATCH`. */
  warnings?: { code: string; message: string }[] | null;
  rejectionsUrl: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Progress while running: rows read so far. */
  progress?: { rowsRead: number; updatedAt: string } | null;
  /** Milliseconds per stage, recorded by the worker; a stage that did not happen is null. */
  timings?: SegmentTimings | null;
  /** `waitingForQuota`: when the daily request budget resets and the segment resumes (ISO). */
  resumesAt?: string | null;
  /** `stalled`: the last heartbeat of the worker that held the segment (ISO). */
  stalledSince?: string | null;
}

/** A segment's state before any work: queued, no counts, no audience; `patch` overrides. */
export const newSegmentState = (segment: string, patch: Partial<SegmentRunState> = {}): SegmentRunState => ({
  segment,
  status: 'queued',
  reason: null,
  counts: emptyCounts(),
  audience: null,
  error: null,
  rejectionsUrl: null,
  startedAt: null,
  finishedAt: null,
  ...patch,
});

export interface SegmentTimings {
  readMs: number | null;
  diffMs: number | null;
  sendMs: number | null;
  snapshotMs: number | null;
  totalMs: number | null;
}

export const segmentTimings = (stages: Partial<SegmentTimings>): SegmentTimings => ({
  readMs: null,
  diffMs: null,
  sendMs: null,
  snapshotMs: null,
  totalMs: null,
  ...stages,
});

export interface RunTrigger {
  type: 'scheduled' | 'onDemand' | 'segmentUpdated';
  by: { id: string; name: string } | null;
  dueAt: string | null;
  /** `segmentUpdated`: the segments whose version changed. */
  segments?: string[];
}

export interface Run {
  id: string;
  exportId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  force: boolean;
  status: RunStatus;
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  segments: SegmentRunState[];
}

const FINAL_SEGMENT: SegmentRunStatus[] = ['succeeded', 'failed', 'skipped', 'canceled'];
export const isFinalSegmentStatus = (status: SegmentRunStatus) => FINAL_SEGMENT.includes(status);

const FINAL_RUN: RunStatus[] = ['succeeded', 'partiallySucceeded', 'failed', 'skipped', 'canceled'];
export const isFinalRunStatus = (status: RunStatus) => FINAL_RUN.includes(status);

/**
 * Run status derived from its segments: all succeeded (or skipped) → `succeeded`; some failed while
 * others succeeded → `partiallySucceeded`; none succeeded and some failed → `failed`. A canceled run
 * stays `canceled`.
 */
export function deriveRunStatus(segments: SegmentRunState[], current: RunStatus): RunStatus {
  if (current === 'canceled') return 'canceled';
  if (segments.length === 0) return 'skipped';
  if (!segments.every((s) => isFinalSegmentStatus(s.status))) {
    return segments.some((s) => s.status !== 'queued') ? 'running' : 'queued';
  }
  const count = (status: SegmentRunStatus) => segments.filter((s) => s.status === status).length;
  const failed = count('failed');
  if (failed === 0) {
    if (count('skipped') === segments.length) return 'skipped';
    if (count('canceled') === segments.length) return 'canceled';
    return 'succeeded';
  }
  return count('succeeded') + count('skipped') > 0 ? 'partiallySucceeded' : 'failed';
}

/** Why a run did not simply succeed, from its segments; null for a success. */
export function deriveRunReason(segments: SegmentRunState[], status: RunStatus): string | null {
  if (status === 'failed' || status === 'partiallySucceeded') {
    const failed = segments.filter((s) => s.status === 'failed');
    const list = failed.map((s) => `${s.segment} (${s.error?.code ?? s.reason ?? 'failed'})`).join(', ');
    return `${failed.length} of ${segments.length} segments failed: ${list}`;
  }
  if (status === 'skipped') {
    const reasons = [...new Set(segments.map((s) => s.reason).filter((r): r is string => Boolean(r)))];
    return reasons.join(', ') || (segments.length === 0 ? 'noSegments' : 'skipped');
  }
  return null;
}
