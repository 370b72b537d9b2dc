import type { TableClient } from '@azure/data-tables';
import { isFinalSegmentStatus, type SegmentRunState } from '../model/run';
import { RUN_ROW } from '../runs/runStore';
import { deleteEntities, type EntityKey } from './tableBatches';

/**
 * Deletes released segment leases (no owner) whose last heartbeat is older than `cutoff` and whose
 * segment is final or whose run is gone: the watchdog scans the whole table every 30 seconds. A
 * lease of a segment still waiting (for quota, a retry) keeps its re-enqueue count.
 */
export async function deleteReleasedLeases(
  leases: TableClient,
  runs: TableClient,
  cutoff: Date,
): Promise<number> {
  const byRun = new Map<string, EntityKey[]>();
  for await (const lease of leases.listEntities({
    queryOptions: { filter: `owner eq '' and heartbeatAt lt '${cutoff.toISOString()}'` },
  })) {
    const rows = byRun.get(lease.partitionKey!) ?? [];
    rows.push({ partitionKey: lease.partitionKey!, rowKey: lease.rowKey! });
    byRun.set(lease.partitionKey!, rows);
  }
  let deleted = 0;
  for (const [partition, rows] of byRun) {
    const final = await finalSegments(runs, decodeURIComponent(partition));
    const due = rows.filter((row) => final === 'runGone' || final.has(decodeURIComponent(row.rowKey)));
    deleted += await deleteEntities(leases, due);
  }
  return deleted;
}

async function finalSegments(runs: TableClient, runId: string): Promise<Set<string> | 'runGone'> {
  const final = new Set<string>();
  let header = false;
  for await (const entity of runs.listEntities<{ data: string }>({
    queryOptions: { filter: `PartitionKey eq '${runId.replace(/'/g, "''")}'` },
  })) {
    if (entity.rowKey === RUN_ROW) {
      header = true;
      continue;
    }
    const state = JSON.parse(entity.data) as SegmentRunState;
    if (isFinalSegmentStatus(state.status)) final.add(state.segment);
  }
  return header ? final : 'runGone';
}
