import type { Services } from '../services';
import type { Principal } from '../model/identity';
import type { ExportConfig } from '../model/export';
import {
  newSegmentState,
  isFinalRunStatus,
  isFinalSegmentStatus,
  type Run,
  type RunTrigger,
  type SegmentRunState,
} from '../model/run';
import { conflict, forbidden, notFound } from '../http/problem';
import { retryOnConflict } from '../storage/tables';
import { digestId, randomId } from '../exports/ids';
import { assembleRun, createRunStore, type RunHeader, type RunPointer } from './runStore';
import { createIdempotencyStore } from './idempotencyStore';
import {
  canceledError,
  PREVIOUS_RUN_IN_PROGRESS,
  skippedError,
  type SegmentError,
} from './segmentExplanation';

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
  /** Enqueues the run waiting behind a finished one (also called by each scheduler tick). */
  promoteWaiting(exportId: string): Promise<string | null>;
}

/** Scheduled run ids come from (export, due time): a duplicate or late tick finds the same run. */
export const scheduledRunId = (exportId: string, dueAt: Date) =>
  digestId('run', `scheduled\n${exportId}\n${dueAt.toISOString()}`);

/** A pointer to a run that is not written yet is trusted this long (creation in flight). */
const POINTER_GRACE_MS = 60_000;

type BusyPolicy = 'conflict' | 'queue' | 'skip';

export function createRunService(services: Services): RunService {
  const store = createRunStore(services.storage);
  const idempotency = createIdempotencyStore(services.storage);
  const now = () => services.clock.now();

  async function get(runId: string): Promise<Run | null> {
    const stored = await store.read(runId);
    return stored ? assembleRun(stored) : null;
  }

  async function requireExport(exportId: string): Promise<ExportConfig> {
    const exportConfig = await services.exports.get(exportId);
    if (!exportConfig) {
      throw notFound(`Export "${exportId}" does not exist.`, { code: 'EXPORT_NOT_FOUND', field: 'id' });
    }
    return exportConfig;
  }

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
  async function launch(
    exportConfig: ExportConfig,
    spec: { runId: string; trigger: RunTrigger; dryRun: boolean; force: boolean },
    busy: BusyPolicy,
  ): Promise<Run | null> {
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
          throw conflict(
            `Export "${exportId}" already has run "${activeId}" in progress; wait for it, cancel it, or ask to queue behind it with {"queue": true}.`,
            { code: 'RUN_IN_PROGRESS', field: 'id', extra: { runId: activeId } },
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
          throw conflict(
            `Export "${exportId}" already has run "${waitingId}" queued behind run "${activeId}".`,
            {
              code: 'RUN_ALREADY_QUEUED',
              field: 'queue',
              extra: { runId: waitingId, activeRunId: activeId },
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
    throw conflict(`Export "${exportId}" is being started by others at the same time; retry.`, {
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

  async function updateSegment(
    runId: string,
    segment: string,
    update: (current: SegmentRunState, run: Run) => SegmentRunState,
  ): Promise<Run> {
    let wasFinal = false;
    await retryOnConflict(async () => {
      const stored = await store.read(runId);
      if (!stored) throw new Error(`run ${runId} does not exist`);
      const row = stored.segments.find((s) => s.state.segment === segment);
      if (!row) throw new Error(`run ${runId} has no segment ${segment}`);
      const run = assembleRun(stored);
      wasFinal = isFinalRunStatus(run.status);
      const next = update(structuredClone(row.state), run);
      await store.replaceSegment(runId, row.rowKey, { ...next, segment }, row.etag);
    });
    const run = await refreshHeader(runId);
    if (!wasFinal && isFinalRunStatus(run.status)) await promoteWaiting(run.exportId);
    return run;
  }

  /** Writes the derived status into the run row (read order: row ETag first, then segments). */
  async function refreshHeader(runId: string): Promise<Run> {
    return retryOnConflict(async () => {
      const stored = (await store.read(runId))!;
      const run = assembleRun(stored);
      const header = stored.header;
      if (
        header.status !== run.status ||
        header.startedAt !== run.startedAt ||
        (header.finishedAt ?? null) !== run.finishedAt
      ) {
        await store.replaceHeader(
          { ...header, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt },
          stored.headerEtag,
        );
      }
      return run;
    });
  }

  async function requireMayRun(exportConfig: ExportConfig | null, principal: Principal): Promise<void> {
    const allowed = exportConfig
      ? await services.exports.mayRun(exportConfig, principal)
      : principal.roles.includes('Exports.Admin') || principal.roles.includes('Exports.Runner');
    if (!allowed) {
      throw forbidden('Only admins, runners, or contributors with access to the connection may do this.', {
        code: 'CONNECTION_NOT_SHARED',
        field: 'id',
      });
    }
  }

  return {
    get,
    promoteWaiting,
    updateSegment,

    async startOnDemand(exportId, principal, options) {
      const exportConfig = await requireExport(exportId);
      await requireMayRun(exportConfig, principal);
      if (exportConfig.status !== 'active' || !exportConfig.connectionId) {
        throw conflict(`Export "${exportId}" is inactive: it has no connection. Edit it to choose one.`, {
          code: 'EXPORT_INACTIVE',
          field: 'id',
        });
      }
      const spec = {
        runId: randomId('run'),
        trigger: {
          type: 'onDemand',
          by: { id: principal.id, name: principal.name },
          dueAt: null,
        } as RunTrigger,
        dryRun: options.dryRun ?? false,
        force: options.force ?? false,
      };
      const busy: BusyPolicy = options.queueBehind ? 'queue' : 'conflict';
      if (!options.idempotencyKey) return (await launch(exportConfig, spec, busy))!;

      const request = {
        exportId,
        dryRun: spec.dryRun,
        force: spec.force,
        queue: Boolean(options.queueBehind),
      };
      const claim = await idempotency.claim(principal.id, options.idempotencyKey, request, spec.runId, now());
      if (claim.kind === 'existing') {
        const run = await get(claim.runId);
        if (run) return run;
        throw conflict(
          `A request with this Idempotency-Key is still being processed (run "${claim.runId}"); retry shortly.`,
          { code: 'IDEMPOTENT_REQUEST_IN_PROGRESS', field: 'Idempotency-Key', extra: { runId: claim.runId } },
        );
      }
      try {
        return (await launch(exportConfig, spec, busy))!;
      } catch (error) {
        await idempotency.release(principal.id, options.idempotencyKey);
        throw error;
      }
    },

    async startScheduled(exportId, dueAt) {
      const exportConfig = await services.exports.get(exportId);
      if (!exportConfig || exportConfig.status !== 'active' || !exportConfig.connectionId) return null;
      const runId = scheduledRunId(exportId, dueAt);
      if (await store.read(runId)) return null;
      return launch(
        exportConfig,
        {
          runId,
          trigger: { type: 'scheduled', by: null, dueAt: dueAt.toISOString() },
          dryRun: false,
          force: false,
        },
        'skip',
      );
    },

    async list(exportId, top) {
      const ids = await store.historyIds(exportId, top);
      const runs = await Promise.all(ids.map((id) => get(id)));
      return runs.filter((run): run is Run => run !== null);
    },

    async cancel(runId, principal) {
      const existing = await get(runId);
      if (!existing)
        throw notFound(`Run "${runId}" does not exist.`, { code: 'RUN_NOT_FOUND', field: 'runId' });
      await requireMayRun(await services.exports.get(existing.exportId), principal);
      if (isFinalRunStatus(existing.status)) {
        throw conflict(
          `Run "${runId}" has already finished (${existing.status}); there is nothing to cancel.`,
          {
            code: 'RUN_FINISHED',
            field: 'runId',
            extra: { status: existing.status },
          },
        );
      }
      const at = now().toISOString();
      const runReason = `canceled by ${principal.name}`;
      await retryOnConflict(async () => {
        const stored = (await store.read(runId))!;
        await store.replaceHeader(
          { ...stored.header, status: 'canceled', reason: runReason, finishedAt: at },
          stored.headerEtag,
        );
      });
      for (const segment of existing.segments) {
        await updateSegment(runId, segment.segment, (current) =>
          isFinalSegmentStatus(current.status)
            ? current
            : {
                ...current,
                status: 'canceled',
                reason: 'canceled',
                error: canceledError(runReason),
                progress: null,
                finishedAt: at,
              },
        );
      }
      await promoteWaiting(existing.exportId);
      return (await get(runId))!;
    },
  };
}
