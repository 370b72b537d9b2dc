import type { TableClient } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients';
import { hasStatus, lazyTable, tableKey } from '../storage/tables';

export const SEGMENT_VERSIONS_TABLE = 'segmentVersions';
const PARTITION = 'segmentUpdated';

/** A run being started for these versions: they count as started only once it exists. */
export interface PendingRun {
  runId: string;
  segments: string[];
  versions: Record<string, string>;
}

/** Per export: the version of each segment its last `segmentUpdated` run was started for. */
export interface WatchState {
  versions: Record<string, string>;
  /** When the last run was started (the minimum interval counts from here). */
  startedAt: string | null;
  pending: PendingRun | null;
}

interface WatchEntity {
  partitionKey: string;
  rowKey: string;
  data: string;
}

const EMPTY: WatchState = { versions: {}, startedAt: null, pending: null };

/** One row per export; every change is a compare-and-swap on its ETag, so concurrent ticks never both win. */
export function createSegmentVersionStore(storage: Pick<StorageClients, 'table'>) {
  const table: () => Promise<TableClient> = lazyTable(storage, SEGMENT_VERSIONS_TABLE);
  const key = (exportId: string) => ({ partitionKey: PARTITION, rowKey: tableKey(exportId) });

  return {
    async read(exportId: string): Promise<{ state: WatchState; etag: string | null }> {
      try {
        const entity = await (await table()).getEntity<WatchEntity>(PARTITION, tableKey(exportId));
        return { state: { ...EMPTY, ...(JSON.parse(entity.data) as WatchState) }, etag: entity.etag };
      } catch (error) {
        if (hasStatus(error, 404)) return { state: EMPTY, etag: null };
        throw error;
      }
    },

    /** False when another tick changed the row since `etag` was read. */
    async write(exportId: string, state: WatchState, etag: string | null): Promise<boolean> {
      const entity = { ...key(exportId), data: JSON.stringify(state) };
      try {
        if (etag === null) await (await table()).createEntity(entity);
        else await (await table()).updateEntity(entity, 'Replace', { etag });
        return true;
      } catch (error) {
        if (hasStatus(error, 409, 412)) return false;
        throw error;
      }
    },
  };
}

export type SegmentVersionStore = ReturnType<typeof createSegmentVersionStore>;
