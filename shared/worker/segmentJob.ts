import type { AudienceDestination } from '../destinations/destination';
import { redact, type Logger, type LogFields } from '../logging/logger';
import type { Connection } from '../model/connection';
import type { ExportConfig } from '../model/export';
import { isFinalSegmentStatus, type Run, type SegmentCounts, type SegmentRunState } from '../model/run';
import type { ExportSegmentMessage } from '../queue/envelope';
import type { SegmentError } from '../runs/segmentExplanation';
import type { WorkerPorts } from './workerPorts';

/** One attempt at one queue message: a (run, segment) to export. */
export interface SegmentJob {
  readonly message: ExportSegmentMessage;
  readonly delivery: { dequeueCount: number; messageId: string };
  readonly run: Run;
  /** Re-enqueues after retryable errors so far (counted on the segment's lease). */
  readonly requeues: number;
  /** Earlier reads that found the segment changing under them (counted on the lease). */
  readonly readChanges: number;
  readonly logger: Logger;
  readonly ids: LogFields;
  /** `Date.now()` when the attempt started, for the timings. */
  readonly startedMs: number;
  /** The latest counts: recorded with the outcome when the attempt ends early. */
  counts: SegmentCounts;
  /** What the segment goes to, once loaded. */
  target?: SegmentTarget;
}

export interface SegmentTarget {
  exportConfig: ExportConfig;
  connection: Connection;
  destination: AudienceDestination;
}

/** Writes to the segment's state on the run; a final segment is never changed. */
export function createSegmentRecorder(ports: Pick<WorkerPorts, 'runs' | 'clock'>) {
  const update = (
    message: ExportSegmentMessage,
    change: (current: SegmentRunState) => Partial<SegmentRunState>,
  ): Promise<Run> =>
    ports.runs.updateSegment(message.runId, message.segment, (current) =>
      isFinalSegmentStatus(current.status) ? current : { ...current, ...change(current) },
    );

  const finish = (message: ExportSegmentMessage, change: Partial<SegmentRunState>) =>
    update(message, () => ({ ...change, progress: undefined, finishedAt: ports.clock.now().toISOString() }));

  return {
    update,
    finish,
    async fail(job: SegmentJob, error: SegmentError): Promise<void> {
      job.logger.warn('segment failed', { ...job.ids, code: error.code });
      await finish(job.message, {
        status: 'failed',
        reason: error.code,
        counts: job.counts,
        error: { code: error.code, message: redact(error.message) },
      });
    },
  };
}

export type SegmentRecorder = ReturnType<typeof createSegmentRecorder>;

/** A segment outcome that ends it as `failed` with a code users can act on. */
export class SegmentFailure extends Error {
  readonly code: string;

  constructor(error: SegmentError) {
    super(error.message);
    this.code = error.code;
    this.name = 'SegmentFailure';
  }
}

/** The run was canceled: the segment stops between stages. */
export class Canceled extends Error {}

/** The export, the segment or the connection was removed: the segment ends `canceled`, nothing sent. */
export class Removed extends Error {
  constructor(readonly outcome: SegmentError) {
    super(outcome.message);
    this.name = 'Removed';
  }
}
