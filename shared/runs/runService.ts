// Placeholder until its issue lands: the real module replaces the factory below, keeping this interface.
import type { Services } from '../services';
import type { Principal } from '../model/identity';
import type { Run, SegmentRunState } from '../model/run';

export interface StartRunOptions {
  dryRun?: boolean;
  force?: boolean;
  idempotencyKey?: string;
  /** Queue behind a run in progress instead of answering 409. */
  queueBehind?: boolean;
}

export interface RunService {
  startOnDemand(exportId: string, principal: Principal, options: StartRunOptions): Promise<Run>;
  /** Starts the scheduled run of an export for one due time; null when it already exists. */
  startScheduled(exportId: string, dueAt: Date): Promise<Run | null>;
  get(runId: string): Promise<Run | null>;
  list(exportId: string, top: number): Promise<Run[]>;
  cancel(runId: string, principal: Principal): Promise<Run>;
  /**
   * Worker use: changes one segment's state atomically (optimistic concurrency, retried) and
   * re-derives the run status. Returns the updated run.
   */
  updateSegment(
    runId: string,
    segment: string,
    update: (current: SegmentRunState, run: Run) => SegmentRunState,
  ): Promise<Run>;
}

export function createRunService(_services: Services): RunService {
  throw new Error('createRunService is not implemented yet');
}
