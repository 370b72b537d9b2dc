import type { Services } from '../services';
import type { Principal } from '../model/identity';
import type { ExportConfig } from '../model/export';
import {
  isFinalRunStatus,
  isFinalSegmentStatus,
  type Run,
  type RunTrigger,
  type SegmentRunState,
} from '../model/run';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/domainErrors';
import { retryOnConflict } from '../storage/tables';
import { digestId, randomId } from '../exports/ids';
import { assembleRun, createRunStore, readRun } from './runStore';
import { createIdempotencyStore } from './idempotencyStore';
import { createRunLauncher, type BusyPolicy } from './runLauncher';
import { canceledError } from './segmentExplanation';

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
  /**
   * Starts (or queues behind the run in progress) the run for changed segments, under the id derived
   * from their versions; null when it already exists. ConflictError when a run is queued already.
   */
  startOnSegmentUpdate(exportId: string, change: { runId: string; segments: string[] }): Promise<Run | null>;
  get(runId: string): Promise<Run | null>;
  /** NotFoundError when missing. */
  view(runId: string): Promise<Run>;
  list(exportId: string, top: number): Promise<Run[]>;
  /** The export's last `top` runs, newest first; NotFoundError when the export does not exist. */
  history(exportId: string, top: number): Promise<Run[]>;
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

export function createRunService(services: Services): RunService {
  const store = createRunStore(services.storage);
  const idempotency = createIdempotencyStore(services.storage);
  const now = () => services.clock.now();
  const get = (runId: string) => readRun(store, runId);
  const { launch, promoteWaiting } = createRunLauncher(services, store, (...args) => updateSegment(...args));

  async function requireExport(exportId: string): Promise<ExportConfig> {
    const exportConfig = await services.exports.get(exportId);
    if (!exportConfig) {
      throw new NotFoundError(`Export "${exportId}" does not exist.`, {
        code: 'EXPORT_NOT_FOUND',
        field: 'id',
      });
    }
    return exportConfig;
  }

  async function requireRun(runId: string): Promise<Run> {
    const run = await get(runId);
    if (!run)
      throw new NotFoundError(`Run "${runId}" does not exist.`, { code: 'RUN_NOT_FOUND', field: 'runId' });
    return run;
  }

  async function list(exportId: string, top: number): Promise<Run[]> {
    const ids = await store.historyIds(exportId, top);
    const runs = await Promise.all(ids.map((id) => get(id)));
    return runs.filter((run): run is Run => run !== null);
  }

  async function updateSegment(
    runId: string,
    segment: string,
    update: (current: SegmentRunState, run: Run) => SegmentRunState,
  ): Promise<Run> {
    let wasFinal = false;
    const [before, after] = await retryOnConflict(async () => {
      const stored = await store.read(runId);
      if (!stored) throw new Error(`run ${runId} does not exist`);
      const row = stored.segments.find((s) => s.state.segment === segment);
      if (!row) throw new Error(`run ${runId} has no segment ${segment}`);
      const run = assembleRun(stored);
      wasFinal = isFinalRunStatus(run.status);
      const next = update(structuredClone(row.state), run);
      await store.replaceSegment(runId, row.rowKey, { ...next, segment }, row.etag);
      return [row.state, { ...next, segment }];
    });
    const { run, finished } = await refreshHeader(runId);
    services.runEvents.changed(before, after, run, finished);
    if (!wasFinal && isFinalRunStatus(run.status)) await promoteWaiting(run.exportId);
    return run;
  }

  /**
   * Writes the derived status into the run row (read order: row ETag first, then segments);
   * `finished` for the one write that made the run final.
   */
  async function refreshHeader(runId: string): Promise<{ run: Run; finished: boolean }> {
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
        return { run, finished: isFinalRunStatus(run.status) && !isFinalRunStatus(header.status) };
      }
      return { run, finished: false };
    });
  }

  async function requireMayRun(exportConfig: ExportConfig | null, principal: Principal): Promise<void> {
    const allowed = exportConfig
      ? await services.exports.mayRun(exportConfig, principal)
      : principal.roles.includes('Exports.Admin') || principal.roles.includes('Exports.Runner');
    if (!allowed) {
      throw new ForbiddenError(
        'Only admins, runners, or contributors with access to the connection may do this.',
        {
          code: 'CONNECTION_NOT_SHARED',
          field: 'id',
        },
      );
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
        throw new ConflictError(
          `Export "${exportId}" is inactive: it has no connection. Edit it to choose one.`,
          {
            code: 'EXPORT_INACTIVE',
            field: 'id',
          },
        );
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
        throw new ConflictError(
          `A request with this Idempotency-Key is still being processed (run "${claim.runId}"); retry shortly.`,
          {
            code: 'IDEMPOTENT_REQUEST_IN_PROGRESS',
            field: 'Idempotency-Key',
            details: { runId: claim.runId },
          },
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

    async startOnSegmentUpdate(exportId, change) {
      const exportConfig = await services.exports.get(exportId);
      if (!exportConfig || exportConfig.status !== 'active' || !exportConfig.connectionId) return null;
      if (await store.read(change.runId)) return null;
      const trigger: RunTrigger = {
        type: 'segmentUpdated',
        by: null,
        dueAt: null,
        segments: change.segments,
      };
      return launch(exportConfig, { runId: change.runId, trigger, dryRun: false, force: false }, 'queue');
    },

    list,

    async history(exportId, top) {
      await requireExport(exportId);
      return list(exportId, top);
    },

    view: requireRun,

    async cancel(runId, principal) {
      const existing = await requireRun(runId);
      await requireMayRun(await services.exports.get(existing.exportId), principal);
      if (isFinalRunStatus(existing.status)) {
        throw new ConflictError(
          `Run "${runId}" has already finished (${existing.status}); there is nothing to cancel.`,
          {
            code: 'RUN_FINISHED',
            field: 'runId',
            details: { status: existing.status },
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
