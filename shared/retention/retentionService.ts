import type { AppConfig } from '../config/config';
import type { Clock } from '../clock';
import { WEBHOOK_DELIVERIES_TABLE } from '../events/deliveryStore';
import { WEBHOOK_EVENTS_TABLE } from '../events/eventStore';
import type { Logger } from '../logging/logger';
import { IDEMPOTENCY_TABLE, KEY_LIFETIME_MS } from '../runs/idempotencyStore';
import { RUN_HISTORY_TABLE, RUNS_TABLE } from '../runs/runStore';
import type { StorageClients } from '../storage/clients';
import { lazyTable } from '../storage/tables';
import { SEGMENT_WORK_TABLE } from '../worker/segmentLease';
import { deleteOldRejectionReports } from './blobRetention';
import { deleteReleasedLeases } from './leaseRetention';
import { deleteOldRuns } from './runRetention';
import { deleteWhere } from './tableBatches';

/** A released lease row is no longer needed once its segment is final; kept a day for diagnosis. */
export const LEASE_RETENTION_MS = 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export type RetentionSettings = Pick<
  AppConfig,
  'RUN_RETENTION_DAYS' | 'RUN_RETENTION_MIN_RUNS' | 'REJECTION_RETENTION_DAYS'
>;

export interface RetentionCounts {
  runs: number;
  segmentRows: number;
  leaseRows: number;
  /** Old runs kept because they are not final. */
  notFinalRuns: number;
  idempotencyKeys: number;
  rejectionReports: number;
  webhookDeliveries: number;
  webhookEvents: number;
}

/**
 * The daily clean-up: what is past its age is deleted, in batches, and nothing else. Every step is
 * idempotent and ordered so that a pass that stops anywhere leaves readable data, and the next pass
 * finishes the work (see `deleteOldRuns`).
 */
export function createRetention(deps: {
  settings: RetentionSettings;
  storage: Pick<StorageClients, 'table' | 'stateContainer'>;
  clock: Clock;
}) {
  const table = (name: string) => lazyTable(deps.storage, name)();

  return {
    async run(logger: Logger): Promise<RetentionCounts> {
      const now = deps.clock.now().getTime();
      const runCutoff = new Date(now - deps.settings.RUN_RETENTION_DAYS * DAY_MS);
      const iso = (ms: number) => new Date(ms).toISOString();
      const state = deps.storage.stateContainer();

      const rejectionReports = await deleteOldRejectionReports(
        state,
        new Date(now - deps.settings.REJECTION_RETENTION_DAYS * DAY_MS),
      );
      const runs = await deleteOldRuns(
        {
          runs: await table(RUNS_TABLE),
          history: await table(RUN_HISTORY_TABLE),
          segmentWork: await table(SEGMENT_WORK_TABLE),
        },
        state,
        { cutoff: runCutoff, keepLatest: deps.settings.RUN_RETENTION_MIN_RUNS },
      );
      const leaseRows = await deleteReleasedLeases(
        await table(SEGMENT_WORK_TABLE),
        await table(RUNS_TABLE),
        new Date(now - LEASE_RETENTION_MS),
      );
      const idempotencyKeys = await deleteWhere(
        await table(IDEMPOTENCY_TABLE),
        `createdAt lt '${iso(now - KEY_LIFETIME_MS)}'`,
      );
      const webhookDeliveries = await deleteWhere(
        await table(WEBHOOK_DELIVERIES_TABLE),
        `createdAt lt '${runCutoff.toISOString()}' and state ne 'pending'`,
      );
      const webhookEvents = await deleteWhere(
        await table(WEBHOOK_EVENTS_TABLE),
        `time lt '${runCutoff.toISOString()}'`,
      );
      const counts: RetentionCounts = {
        runs: runs.runs,
        segmentRows: runs.segmentRows,
        leaseRows: runs.leaseRows + leaseRows,
        notFinalRuns: runs.notFinal,
        idempotencyKeys,
        rejectionReports: rejectionReports + runs.rejectionReports,
        webhookDeliveries,
        webhookEvents,
      };
      logger.info('retention pass', { ...counts });
      return counts;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
