import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { deriveRunStatus, isFinalRunStatus, type SegmentRunState } from '../model/run';
import { HISTORY_ROWS_FILTER, historyRowCreatedAt, RUN_ROW, type RunHeader } from '../runs/runStore';
import { tableKey } from '../storage/tables';
import { deleteEntities, type EntityKey } from './tableBatches';
import { deleteBlobsUnder } from './blobRetention';

export interface RunRetentionTables {
  runs: TableClient;
  history: TableClient;
  segmentWork: TableClient;
}

export interface RunRetentionCounts {
  runs: number;
  segmentRows: number;
  leaseRows: number;
  rejectionReports: number;
  /** Runs past their age kept because they are not final yet. */
  notFinal: number;
}

/** Blobs of a run's rejection reports (the worker writes `rejections/<run>/<segment>.csv`). */
export const runRejectionsPrefix = (runId: string) => `rejections/${encodeURIComponent(runId)}/`;

/**
 * Deletes final runs created before `cutoff`, except each export's latest `keepLatest` runs. The run
 * history index finds them: its rows sort newest first per export. Per run, the header goes first
 * (in the same batch as up to 99 segment rows), so a read finds the whole run or none of it; the
 * history row goes last, so a pass that stops anywhere leaves the run findable and the next pass
 * finishes it.
 */
export async function deleteOldRuns(
  tables: RunRetentionTables,
  state: ContainerClient,
  options: { cutoff: Date; keepLatest: number },
): Promise<RunRetentionCounts> {
  const counts: RunRetentionCounts = {
    runs: 0,
    segmentRows: 0,
    leaseRows: 0,
    rejectionReports: 0,
    notFinal: 0,
  };
  let partition = '';
  let position = 0;
  const rows = tables.history.listEntities<{ runId: string }>({
    queryOptions: { filter: HISTORY_ROWS_FILTER },
  });
  for await (const entity of rows) {
    const row = { partitionKey: entity.partitionKey!, rowKey: entity.rowKey!, runId: entity.runId };
    if (row.partitionKey !== partition) {
      partition = row.partitionKey;
      position = 0;
    }
    position++;
    const createdAt = historyRowCreatedAt(row.rowKey);
    if (position <= options.keepLatest || !createdAt || createdAt >= options.cutoff) continue;
    const removed = await deleteRun(tables, state, row.runId);
    if (!removed) {
      counts.notFinal++;
      continue;
    }
    counts.runs++;
    counts.segmentRows += removed.segmentRows;
    counts.leaseRows += removed.leaseRows;
    counts.rejectionReports += removed.rejectionReports;
    await deleteEntities(tables.history, [{ partitionKey: row.partitionKey, rowKey: row.rowKey }]);
  }
  return counts;
}

/** Everything stored for one run but its history row; null (and nothing deleted) when it is not final. */
async function deleteRun(tables: RunRetentionTables, state: ContainerClient, runId: string) {
  const entities: (EntityKey & { data: string })[] = [];
  for await (const entity of tables.runs.listEntities<{ data: string }>({
    queryOptions: { filter: `PartitionKey eq '${runId.replace(/'/g, "''")}'` },
  })) {
    entities.push({ partitionKey: entity.partitionKey!, rowKey: entity.rowKey!, data: entity.data });
  }
  const header = entities.find((entity) => entity.rowKey === RUN_ROW);
  if (header) {
    const segments = entities
      .filter((entity) => entity !== header)
      .map((entity) => JSON.parse(entity.data) as SegmentRunState);
    const stored = JSON.parse(header.data) as RunHeader;
    if (!isFinalRunStatus(deriveRunStatus(segments, stored.status))) return null;
  }
  const ordered = [...entities].sort((a, b) => (a === header ? -1 : b === header ? 1 : 0));
  await deleteEntities(tables.runs, ordered);

  const leases: EntityKey[] = [];
  for await (const lease of tables.segmentWork.listEntities({
    queryOptions: { filter: `PartitionKey eq '${tableKey(runId).replace(/'/g, "''")}'` },
  })) {
    leases.push({ partitionKey: lease.partitionKey!, rowKey: lease.rowKey! });
  }
  const leaseRows = await deleteEntities(tables.segmentWork, leases);
  const rejectionReports = await deleteBlobsUnder(state, runRejectionsPrefix(runId));
  return { segmentRows: Math.max(0, entities.length - 1), leaseRows, rejectionReports };
}
