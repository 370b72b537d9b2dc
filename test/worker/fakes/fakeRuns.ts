import { deriveRunStatus, newSegmentState, type Run, type SegmentRunState } from '../../../shared/model/run';
import type { RunService } from '../../../shared/runs/runService';

/** In-memory RunService with the same `get`/`updateSegment` semantics the worker relies on. */
export function createFakeRuns() {
  const runs = new Map<string, Run>();
  const notUsed = () => {
    throw new Error('not used by the worker');
  };
  const clone = (run: Run): Run => structuredClone(run);

  const service: RunService & {
    add(run: { id: string; exportId: string; segments: string[]; dryRun?: boolean; force?: boolean }): Run;
    setCanceled(runId: string): void;
    segment(runId: string, segment: string): SegmentRunState;
  } = {
    add({ id, exportId, segments, dryRun = false, force = false }) {
      const run: Run = {
        id,
        exportId,
        trigger: { type: 'onDemand', by: { id: 'u1', name: 'Tester' }, dueAt: null },
        dryRun,
        force,
        status: 'queued',
        reason: null,
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
        segments: segments.map((segment) => newSegmentState(segment)),
      };
      runs.set(id, run);
      return clone(run);
    },
    setCanceled(runId) {
      const run = runs.get(runId)!;
      run.status = 'canceled';
    },
    segment(runId, segment) {
      return clone(runs.get(runId)!).segments.find((s) => s.segment === segment)!;
    },
    async get(runId) {
      const run = runs.get(runId);
      return run ? clone(run) : null;
    },
    async updateSegment(runId, segment, update) {
      const run = runs.get(runId);
      if (!run) throw new Error(`run ${runId} not found`);
      const index = run.segments.findIndex((s) => s.segment === segment);
      if (index < 0) throw new Error(`segment ${segment} not in run ${runId}`);
      run.segments[index] = update(structuredClone(run.segments[index]), clone(run));
      run.status = deriveRunStatus(run.segments, run.status);
      return clone(run);
    },
    startOnDemand: notUsed,
    startScheduled: notUsed,
    startOnSegmentUpdate: notUsed,
    list: notUsed,
    history: notUsed,
    view: notUsed,
    cancel: notUsed,
    promoteWaiting: notUsed,
  };
  return service;
}
