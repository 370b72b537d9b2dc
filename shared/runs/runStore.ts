import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients';
import type { Run, SegmentRunState } from '../model/run';
import { deriveRunReason, deriveRunStatus } from '../model/run';
import { hasStatus, lazyTable } from '../storage/tables';

export const RUNS_TABLE = 'runs';
export const RUN_HISTORY_TABLE = 'runhistory';

export const RUN_ROW = 'run';
const segmentRow = (index: number) => `segment-${String(index).padStart(4, '0')}`;
const POINTER_ROW = 'pointer';
const HISTORY_PREFIX = 'h-';
const MAX_MILLIS = 9_999_999_999_999;

/** When the run of a history row was created (its key holds the inverted creation time); null for other rows. */
export function historyRowCreatedAt(rowKey: string): Date | null {
  const match = /^h-(\d{13})-/.exec(rowKey);
  return match ? new Date(MAX_MILLIS - Number(match[1])) : null;
}

/** Table filter for an export's history rows (not its pointer row). */
export const HISTORY_ROWS_FILTER = `RowKey ge '${HISTORY_PREFIX}' and RowKey lt 'h.'`;

/**
 * The run row: everything but per-segment state, which lives in one row per segment. Its `status` is
 * the stored one; `canceled` here wins over what segments say.
 */
export interface RunHeader extends Omit<Run, 'segments'> {
  segments: string[];
  /** Run this one is queued behind (not enqueued until that one finishes). */
  waitingFor: string | null;
}

export interface StoredRun {
  header: RunHeader;
  headerEtag: string;
  segments: { state: SegmentRunState; etag: string; rowKey: string }[];
}

/** Which runs of an export are active and queued behind it. */
export interface RunPointer {
  activeRunId: string | null;
  waitingRunId: string | null;
  /** When the pointer last changed (a pointer to a run not yet written is trusted this long). */
  changedAt: string;
}

interface HeaderEntity {
  partitionKey: string;
  rowKey: string;
  data: string;
}

/** Runs in Table Storage: partition = run id; one header row and one row per segment. */
export function createRunStore(storage: StorageClients) {
  const runs: () => Promise<TableClient> = lazyTable(storage, RUNS_TABLE);
  const history: () => Promise<TableClient> = lazyTable(storage, RUN_HISTORY_TABLE);

  return {
    /** Creates the run atomically (header + segments); false when a run with this id exists. */
    async create(header: RunHeader, segments: SegmentRunState[]): Promise<boolean> {
      const actions: TransactionAction[] = [
        ['create', { partitionKey: header.id, rowKey: RUN_ROW, data: JSON.stringify(header) }],
        ...segments.map((state, index): TransactionAction => [
          'create',
          { partitionKey: header.id, rowKey: segmentRow(index), data: JSON.stringify(state) },
        ]),
      ];
      try {
        await (await runs()).submitTransaction(actions);
      } catch (error) {
        if (hasStatus(error, 409)) return false;
        throw error;
      }
      const historyKey = `${HISTORY_PREFIX}${String(MAX_MILLIS - Date.parse(header.createdAt)).padStart(13, '0')}-${header.id}`;
      await (
        await history()
      ).upsertEntity({ partitionKey: header.exportId, rowKey: historyKey, runId: header.id });
      return true;
    },

    async read(runId: string): Promise<StoredRun | null> {
      const client = await runs();
      let header: { value: RunHeader; etag: string } | null = null;
      const segments: StoredRun['segments'] = [];
      for await (const entity of client.listEntities<HeaderEntity>({
        queryOptions: { filter: `PartitionKey eq '${runId.replace(/'/g, "''")}'` },
      })) {
        const value = JSON.parse(entity.data) as unknown;
        if (entity.rowKey === RUN_ROW) header = { value: value as RunHeader, etag: entity.etag };
        else segments.push({ state: value as SegmentRunState, etag: entity.etag, rowKey: entity.rowKey });
      }
      if (!header) return null;
      segments.sort((a, b) => a.rowKey.localeCompare(b.rowKey));
      return { header: header.value, headerEtag: header.etag, segments };
    },

    async replaceSegment(runId: string, rowKey: string, state: SegmentRunState, etag: string): Promise<void> {
      await (
        await runs()
      ).updateEntity({ partitionKey: runId, rowKey, data: JSON.stringify(state) }, 'Replace', { etag });
    },

    async replaceHeader(header: RunHeader, etag: string): Promise<void> {
      await (
        await runs()
      ).updateEntity({ partitionKey: header.id, rowKey: RUN_ROW, data: JSON.stringify(header) }, 'Replace', {
        etag,
      });
    },

    /** Newest first. */
    async historyIds(exportId: string, top: number): Promise<string[]> {
      const client = await history();
      const ids: string[] = [];
      const pages = client
        .listEntities<{ runId: string }>({
          queryOptions: {
            filter: `PartitionKey eq '${exportId.replace(/'/g, "''")}' and RowKey ge '${HISTORY_PREFIX}' and RowKey lt 'h.'`,
          },
        })
        .byPage({ maxPageSize: Math.min(top, 1000) });
      for await (const page of pages) {
        for (const entity of page) {
          ids.push(entity.runId);
          if (ids.length >= top) return ids;
        }
      }
      return ids;
    },

    async readPointer(exportId: string): Promise<{ pointer: RunPointer; etag: string | null }> {
      try {
        const entity = await (await history()).getEntity<{ data: string }>(exportId, POINTER_ROW);
        return { pointer: JSON.parse(entity.data) as RunPointer, etag: entity.etag };
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
        return {
          pointer: { activeRunId: null, waitingRunId: null, changedAt: new Date(0).toISOString() },
          etag: null,
        };
      }
    },

    /** Compare-and-swap of the pointer; false when someone else changed it first. */
    async writePointer(exportId: string, pointer: RunPointer, etag: string | null): Promise<boolean> {
      const client = await history();
      const entity = { partitionKey: exportId, rowKey: POINTER_ROW, data: JSON.stringify(pointer) };
      try {
        if (etag === null) await client.createEntity(entity);
        else await client.updateEntity(entity, 'Replace', { etag });
        return true;
      } catch (error) {
        if (hasStatus(error, 409) || hasStatus(error, 412)) return false;
        throw error;
      }
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;

/** The API view of a stored run, its status derived from its segments. */
export function assembleRun(stored: StoredRun): Run {
  const segments = stored.segments.map((s) => s.state);
  const status = deriveRunStatus(segments, stored.header.status);
  const starts = segments.map((s) => s.startedAt).filter((t): t is string => Boolean(t));
  const ends = segments.map((s) => s.finishedAt).filter((t): t is string => Boolean(t));
  const final = !['queued', 'running'].includes(status);
  const { header } = stored;
  return {
    id: header.id,
    exportId: header.exportId,
    trigger: header.trigger,
    dryRun: header.dryRun,
    force: header.force,
    status,
    reason:
      status === 'canceled' || header.waitingFor
        ? header.reason
        : (deriveRunReason(segments, status) ?? header.reason),
    createdAt: header.createdAt,
    startedAt: header.startedAt ?? (starts.length ? starts.sort()[0] : null),
    finishedAt: header.finishedAt ?? (final && ends.length ? ends.sort().at(-1)! : null),
    segments,
  };
}

/** A run as stored, assembled; null when there is none. */
export async function readRun(store: RunStore, runId: string): Promise<Run | null> {
  const stored = await store.read(runId);
  return stored ? assembleRun(stored) : null;
}
