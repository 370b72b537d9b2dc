import type { Services } from '../services';
import type { ExportConfig } from '../model/export';
import {
  newSegmentState,
  isFinalRunStatus,
  isFinalSegmentStatus,
  type Run,
  type RunTrigger,
  type SegmentRunState,
} from '../model/run';
import { ConflictError } from '../errors/domainErrors';
import { retryOnConflict } from '../storage/tables';
import { assembleRun, readRun, type RunHeader, type RunPointer, type RunStore } from './runStore';
import { PREVIOUS_RUN_IN_PROGRESS, skippedError, type SegmentError } from './segmentExplanation';
import type { RunService } from './runService';

/** A pointer to a run that is not written yet is trusted this long (creation in flight). */
const POINTER_GRACE_MS = 60_000;

/** What starting a run does when another run of the export is in progress. */
export type BusyPolicy = 'conflict' | 'queue' | 'skip';

export interface RunSpec {
  runId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  force: boolean;
}

/**
 * Starting runs with at most one active run per export, and one queued behind it: the per-export
 * pointer row is changed by compare-and-swap, and a run becomes active (and is enqueued) only when
 * the pointer says so.
 */
export function createRunLauncher(
  services: Pick<Services, 'clock' | 'exportQueue'>,
  store: RunStore,
  updateSegment: RunService['updateSegment'],
) {
  const now = () => services.clock.now();
  const get = (runId: string) => readRun(store, runId);

  /** A run that is neither finished nor abandoned before it was written. */
  async function runInProgress(runId: string | null, pointer: RunPointer): Promise<Run | 'pending' | null> {
    if (!runId) return null;
    const run = await get(runId);
    if (!run) return now().getTime() - Date.parse(pointer.changedAt) < POINTER_GRACE_MS ? 'pending' : null;
    return isFinalRunStatus(run.status) ? null : run;
  }

  function newSegments(
    exportConfig: ExportConfig,
    skipped: { reason: string; error: SegmentError } | null,
  ): SegmentRunState[] {
    const at = now().toISOString();
    return exportConfig.segments.map((segment) =>
      newSegmentState(
        segment,
        skipped ? { status: 'skipped', reason: skipped.reason, error: skipped.error, finishedAt: at } : {},
      ),
    );
  }

  async function enqueue(header: RunHeader): Promise<void> {
    for (const segment of header.segments) {
      await services.exportQueue.send({
        v: 1,
        kind: 'exportSegment',
        runId: header.id,
        exportId: header.exportId,
        segment,
      });
    }
  }

  async function markEnqueueFailed(runId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : 'unknown error';
    const stored = await store.read(runId);
    for (const segment of stored?.segments ?? []) {
      await updateSegment(runId, segment.state.segment, (current) =>
        isFinalSegmentStatus(current.status)
          ? current
          : {
              ...current,
              status: 'failed',
              reason: 'ENQUEUE_FAILED',
              error: { code: 'ENQUEUE_FAILED', message: `The run could not be queued: ${message}` },
              finishedAt: now().toISOString(),
            },
      ).catch(() => undefined);
    }
  }

  /**
   * Starts a run unless another run of the export is in progress, in which case `busy` decides:
   * 409 naming it, queue behind it, or record the run as skipped. The per-export pointer row is
   * changed by compare-and-swap, so two concurrent starts never both become active.
   */
  async function launch(exportConfig: ExportConfig, spec: RunSpec, busy: BusyPolicy): Promise<Run | null> {
    const exportId = exportConfig.id;
    for (let attempt = 0; attempt < 20; attempt++) {
      const { pointer, etag } = await store.readPointer(exportId);
      if (pointer.activeRunId === spec.runId || pointer.waitingRunId === spec.runId) {
        return busy === 'skip' ? null : get(spec.runId);
      }
      const active = await runInProgress(pointer.activeRunId, pointer);
      const waiting = await runInProgress(pointer.waitingRunId, pointer);
      if (!active && waiting) {
        await promoteWaiting(exportId);
        continue;
      }
      const header: RunHeader = {
        id: spec.runId,
        exportId,
        trigger: spec.trigger,
        dryRun: spec.dryRun,
        force: spec.force,
        status: 'queued',
        reason: null,
        createdAt: now().toISOString(),
        startedAt: null,
        finishedAt: null,
        segments: [...exportConfig.segments],
        waitingFor: null,
      };
      if (active) {
        const activeId = active === 'pending' ? pointer.activeRunId! : active.id;
        if (busy === 'conflict') {
          throw new ConflictError(
            `Export "${exportId}" already has run "${activeId}" in progress; wait for it, cancel it, or ask to queue behind it with {"queue": true}.`,
            { code: 'RUN_IN_PROGRESS', field: 'id', details: { runId: activeId } },
          );
        }
        if (busy === 'skip') {
          const reason = PREVIOUS_RUN_IN_PROGRESS;
          const runReason = `${reason}: ${activeId}`;
          const created = await store.create(
            { ...header, status: 'skipped', reason: runReason },
            newSegments(exportConfig, { reason, error: skippedError(reason, runReason) }),
          );
          return created ? get(spec.runId) : null;
        }
        if (waiting) {
          const waitingId = waiting === 'pending' ? pointer.waitingRunId! : waiting.id;
          throw new ConflictError(
            `Export "${exportId}" already has run "${waitingId}" queued behind run "${activeId}".`,
            {
              code: 'RUN_ALREADY_QUEUED',
              field: 'queue',
              details: { runId: waitingId, activeRunId: activeId },
            },
          );
        }
        const next: RunPointer = { ...pointer, waitingRunId: spec.runId, changedAt: now().toISOString() };
        if (!(await store.writePointer(exportId, next, etag))) continue;
        await store.create(
          { ...header, reason: `waitingForRun: ${activeId}`, waitingFor: activeId },
          newSegments(exportConfig, null),
        );
        // The active run may have finished while this one was being written.
        await promoteWaiting(exportId);
        return get(spec.runId);
      }
      if (busy === 'skip' && (await store.read(spec.runId))) return null;
      const next: RunPointer = {
        activeRunId: spec.runId,
        waitingRunId: null,
        changedAt: now().toISOString(),
      };
      if (!(await store.writePointer(exportId, next, etag))) continue;
      const created = await store.create(header, newSegments(exportConfig, null));
      if (!created) return busy === 'skip' ? null : get(spec.runId);
      try {
        await enqueue(header);
      } catch (error) {
        await markEnqueueFailed(spec.runId, error);
        throw error;
      }
      return get(spec.runId);
    }
    throw new ConflictError(`Export "${exportId}" is being started by others at the same time; retry.`, {
      code: 'RUN_START_CONTENDED',
      field: 'id',
    });
  }

  async function promoteWaiting(exportId: string): Promise<string | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { pointer, etag } = await store.readPointer(exportId);
      if (!pointer.waitingRunId) return null;
      if (await runInProgress(pointer.activeRunId, pointer)) return null;
      const waitingId = pointer.waitingRunId;
      const stored = await store.read(waitingId);
      if (!stored && now().getTime() - Date.parse(pointer.changedAt) < POINTER_GRACE_MS) return null;
      const next: RunPointer = {
        activeRunId: stored ? waitingId : null,
        waitingRunId: null,
        changedAt: now().toISOString(),
      };
      if (!(await store.writePointer(exportId, next, etag))) continue;
      if (!stored || isFinalRunStatus(assembleRun(stored).status)) return null;
      await retryOnConflict(async () => {
        const fresh = (await store.read(waitingId))!;
        await store.replaceHeader({ ...fresh.header, waitingFor: null, reason: null }, fresh.headerEtag);
      });
      try {
        await enqueue(stored.header);
      } catch (error) {
        await markEnqueueFailed(waitingId, error);
        throw error;
      }
      return waitingId;
    }
    return null;
  }

  return { launch, promoteWaiting };
}
