import type { Clock } from '../clock';
import type { ConnectionService } from '../connections/connectionService';
import type { Destinations } from '../destinations/registry';
import { ConflictError, InvalidError, NotFoundError } from '../errors/domainErrors';
import type { Logger } from '../logging/logger';
import type { ExportConfig } from '../model/export';
import type { IdentityRef } from '../model/identity';
import type { DeactivateAudienceMessage } from '../queue/envelope';
import type { QueueSender } from '../queue/exportQueue';
import { deleteBlobsUnder } from '../retention/blobRetention';
import { runRejectionsPrefix } from '../retention/runRetention';
import { createRunStore } from '../runs/runStore';
import type { StorageClients } from '../storage/clients';
import { hasStatus } from '../storage/tables';
import { AUDIENCES_TABLE, createAudienceRegistry } from '../worker/audienceRegistry';
import { rejectionBlobName } from '../worker/rejectionReport';
import { snapshotBlobName } from '../worker/snapshotStore';
import { createDiscontinuedStore, DISCONTINUED_TABLE } from './discontinuedStore';
import type { AudiencesMode, DiscontinuedAudience } from './schemas';

export interface DiscontinueDeps {
  clock: Clock;
  storage: StorageClients;
  connections: Pick<ConnectionService, 'get' | 'tokenProvider'>;
  destinations: Pick<Destinations, 'get'>;
  queue: QueueSender<DeactivateAudienceMessage>;
}

/** What removing an export (or some of its segments) does, checked before anything is removed. */
export interface DiscontinuePlan {
  exportConfig: ExportConfig;
  mode: AudiencesMode;
  /** The whole export, or only these segments of it. */
  wholeExport: boolean;
  audiences: { segment: string; audience: { id: string; name: string } | null }[];
}

const MAX_RUNS = 1_000_000;
/** A pending deactivation untouched this long lost its message (or waits past a budget reset). */
const STALE_PENDING_MS = 24 * 3600 * 1000;

/**
 * Discontinuing an export or a segment: its audiences at the destination are kept or deactivated
 * (from the deactivation queue, see `audienceDeactivator.ts`), and its snapshots of member digests,
 * its rejection reports and its audience record are deleted either way. The worker re-checks the
 * export right before sending, so a run queued before the removal sends nothing.
 */
export function createDiscontinuer(deps: DiscontinueDeps) {
  const registry = createAudienceRegistry(() => deps.storage.table(AUDIENCES_TABLE));
  const store = createDiscontinuedStore(() => deps.storage.table(DISCONTINUED_TABLE));
  const runs = createRunStore(deps.storage);
  const state = () => deps.storage.stateContainer();

  async function deleteBlob(name: string): Promise<void> {
    await state()
      .deleteBlob(name)
      .catch((error: unknown) => {
        if (!hasStatus(error, 404)) throw error;
      });
  }

  /** Snapshots, rejection reports and audience records of the plan's segments. */
  const messageOf = (row: DiscontinuedAudience): DeactivateAudienceMessage => ({
    v: 1,
    kind: 'deactivateAudience',
    exportId: row.exportId,
    segment: row.segment,
    connectionId: row.connectionId!,
    audienceId: row.audience!.id,
  });

  async function deleteData(plan: DiscontinuePlan): Promise<void> {
    const exportId = plan.exportConfig.id;
    const runIds = await runs.historyIds(exportId, MAX_RUNS);
    if (plan.wholeExport) {
      await deleteBlobsUnder(state(), `snapshots/${encodeURIComponent(exportId)}/`);
      for (const runId of runIds) await deleteBlobsUnder(state(), runRejectionsPrefix(runId));
    }
    for (const { segment } of plan.audiences) {
      await deleteBlob(snapshotBlobName(exportId, segment));
      for (const runId of plan.wholeExport ? [] : runIds) await deleteBlob(rejectionBlobName(runId, segment));
      await registry.forget(exportId, segment);
    }
  }

  return {
    store,

    /** The export's discontinued audiences; NotFoundError when there is no such export and never was one. */
    async report(exportId: string, exportExists: boolean) {
      const audiences = await store.list(exportId);
      if (!exportExists && audiences.length === 0) {
        throw new NotFoundError(`Export "${exportId}" does not exist.`, {
          code: 'EXPORT_NOT_FOUND',
          field: 'id',
        });
      }
      return { exportId, exportExists, audiences };
    },

    /**
     * The plan for removing `segments` of an export; with `deactivate`, a ConflictError or
     * InvalidError (nothing removed yet) when its audiences cannot be deactivated.
     */
    async check(
      exportConfig: ExportConfig,
      segments: string[],
      mode: AudiencesMode,
      wholeExport: boolean,
    ): Promise<DiscontinuePlan> {
      const audiences = await Promise.all(
        segments.map(async (segment) => {
          const record = await registry.get(exportConfig.id, segment);
          return {
            segment,
            audience: record?.audienceId ? { id: record.audienceId, name: record.name } : null,
          };
        }),
      );
      const plan: DiscontinuePlan = { exportConfig, mode, wholeExport, audiences };
      if (mode === 'keep' || audiences.every((a) => a.audience === null)) return plan;

      const connection = exportConfig.connectionId
        ? await deps.connections.get(exportConfig.connectionId)
        : null;
      if (!connection) {
        throw new ConflictError(
          `Export "${exportConfig.displayName}" has no connection any more (it was deleted), so its audiences cannot be deactivated from here: remove it with audiences=keep and deactivate them in RollWorks.`,
          { code: 'CONNECTION_NOT_FOUND', field: 'audiences' },
        );
      }
      const destination = deps.destinations.get(connection.type);
      if (!destination.forConnection(deps.connections.tokenProvider(connection.id)).deleteAudience) {
        throw new InvalidError(
          `${destination.name} audiences cannot be deactivated by this app; remove with audiences=keep and deactivate them in ${destination.name}.`,
          { code: 'DEACTIVATION_UNSUPPORTED', field: 'audiences' },
        );
      }
      if (connection.status !== 'ready') {
        throw new ConflictError(
          `Connection "${connection.displayName}" is ${connection.status}, so its audiences cannot be deactivated now: an administrator must finish or renew it first, or remove with audiences=keep.`,
          {
            code: 'CONNECTION_NOT_READY',
            field: 'audiences',
            details: { connectionStatus: connection.status },
          },
        );
      }
      return plan;
    },

    /** Records each audience's outcome, queues the deactivations and deletes the segments' data. */
    async apply(
      plan: DiscontinuePlan,
      by: IdentityRef | null,
      logger: Logger,
    ): Promise<DiscontinuedAudience[]> {
      const at = deps.clock.now().toISOString();
      const { exportConfig, mode } = plan;
      const rows = plan.audiences.map(({ segment, audience }): DiscontinuedAudience => ({
        exportId: exportConfig.id,
        segment,
        connectionId: exportConfig.connectionId,
        audience,
        mode,
        status: !audience ? 'noAudience' : mode === 'keep' ? 'kept' : 'pending',
        error: null,
        attempts: 0,
        resumesAt: null,
        requestedAt: at,
        requestedBy: by ? { id: by.id, name: by.name } : null,
        updatedAt: at,
      }));
      for (const row of rows) {
        await store.save(row);
        if (row.status === 'pending') await deps.queue.send(messageOf(row));
      }
      await deleteData(plan);
      logger.info('export data discontinued', {
        exportId: exportConfig.id,
        segments: rows.length,
        deactivations: rows.filter((row) => row.status === 'pending').length,
        mode,
      });
      return rows;
    },

    /**
     * Queues again the deactivations pending for a day without news (a process that stopped between
     * recording and queueing, a lost message). A duplicate is harmless: the handler acts on pending
     * rows only, and a deleted audience answers as such. Returns how many.
     */
    async requeueStale(logger: Logger): Promise<number> {
      const now = deps.clock.now().getTime();
      const stale = (await store.pending()).filter(
        (row) =>
          now - Date.parse(row.updatedAt) >= STALE_PENDING_MS &&
          (!row.resumesAt || Date.parse(row.resumesAt) < now - 3600_000),
      );
      for (const row of stale) await deps.queue.send(messageOf(row));
      if (stale.length > 0) logger.warn('stale audience deactivations queued again', { count: stale.length });
      return stale.length;
    },
  };
}

export type Discontinuer = ReturnType<typeof createDiscontinuer>;
