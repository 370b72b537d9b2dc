import type { SegmentRun } from '../api/types';

/** Sentences for successes that are not plain ones; failures carry the API's own sentence. */
const SUCCESS_REASONS: Record<string, string> = {
  unchanged: 'The members are the same as at the last send, so nothing was sent.',
  dryRun: 'Dry run: the segment was read and compared, and nothing was written to RollWorks.',
  resent: 'The members are unchanged; they were sent again so that RollWorks does not expire the audience.',
};

export function outcomeSentence(segment: SegmentRun): string | undefined {
  if (segment.error) return segment.error.message;
  return segment.reason ? SUCCESS_REASONS[segment.reason] : undefined;
}

/** What the worker is doing with the segment, from its status and the stages it has finished. */
export function stageOf(segment: SegmentRun): string {
  switch (segment.status) {
    case 'queued':
      return 'Waiting in the queue';
    case 'running':
      return segment.timings?.readMs != null ? 'Comparing and writing to RollWorks' : 'Reading the segment';
    case 'waitingForQuota':
      return 'Paused';
    default:
      return 'Finished';
  }
}

/** Rows read per second while reading. */
export function rowsPerSecond(segment: SegmentRun): number | undefined {
  if (!segment.progress || !segment.startedAt) return undefined;
  const seconds = (Date.parse(segment.progress.updatedAt) - Date.parse(segment.startedAt)) / 1000;
  return seconds > 0 ? Math.round(segment.progress.rowsRead / seconds) : undefined;
}
