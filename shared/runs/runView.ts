import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../model/run';
import type { RunResponse, SegmentRunResponse } from './schemas';
import { explainSegment } from './segmentExplanation';

function segmentView(state: SegmentRunState, run: Run): SegmentRunResponse {
  const { reason, error } = explainSegment(state, run);
  return {
    segment: state.segment,
    status: state.status,
    reason,
    // Runs recorded before a count existed read it as 0.
    counts: {
      ...state.counts,
      suppressed: state.counts.suppressed ?? 0,
      withoutConsent: state.counts.withoutConsent ?? 0,
    },
    audience: state.audience,
    error,
    rejectionsUrl: state.rejectionsUrl,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    progress: isFinalSegmentStatus(state.status) ? null : (state.progress ?? null),
    timings: state.timings ?? null,
    ...(state.warnings?.length ? { warnings: state.warnings } : {}),
    resumesAt: state.status === 'waitingForQuota' ? (state.resumesAt ?? null) : null,
    stalledSince: state.status === 'stalled' ? (state.stalledSince ?? null) : null,
  };
}

/** A run as `GET /api/runs/{runId}` shows it: exactly the documented shape, every non-success explained. */
export function toRunResponse(run: Run): RunResponse {
  return {
    id: run.id,
    exportId: run.exportId,
    trigger: run.trigger,
    dryRun: run.dryRun,
    force: run.force,
    status: run.status,
    reason: run.reason,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    segments: run.segments.map((state) => segmentView(state, run)),
  };
}
