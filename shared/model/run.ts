export type RunStatus =
  'queued' | 'running' | 'succeeded' | 'partiallySucceeded' | 'failed' | 'skipped' | 'canceled';

export type SegmentRunStatus =
  'queued' | 'running' | 'waitingForQuota' | 'succeeded' | 'failed' | 'skipped' | 'canceled';

export interface SegmentCounts {
  read: number;
  invalid: number;
  duplicates: number;
  valid: number;
  sent: number;
  added: number;
  removed: number;
}

export const emptyCounts = (): SegmentCounts => ({
  read: 0,
  invalid: 0,
  duplicates: 0,
  valid: 0,
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
  rejectionsUrl: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Progress while running: rows read so far. */
  progress?: { rowsRead: number; updatedAt: string };
}

export interface RunTrigger {
  type: 'scheduled' | 'onDemand';
  by: { id: string; name: string } | null;
  dueAt: string | null;
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

/** Run status derived from its segments. */
export function deriveRunStatus(segments: SegmentRunState[], current: RunStatus): RunStatus {
  if (current === 'canceled') return 'canceled';
  if (segments.length === 0) return 'skipped';
  if (!segments.every((s) => isFinalSegmentStatus(s.status))) {
    return segments.some((s) => s.status !== 'queued') ? 'running' : 'queued';
  }
  const failed = segments.filter((s) => s.status === 'failed').length;
  const canceled = segments.filter((s) => s.status === 'canceled').length;
  if (canceled > 0 && failed === 0 && canceled === segments.length) return 'canceled';
  if (failed === segments.length) return 'failed';
  if (failed > 0) return 'partiallySucceeded';
  if (segments.every((s) => s.status === 'skipped')) return 'skipped';
  return 'succeeded';
}
