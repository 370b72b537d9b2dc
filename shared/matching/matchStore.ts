import type { TableClient } from '@azure/data-tables';
import { hasStatus, tableKey } from '../storage/tables';

export const MATCH_REPORTS_TABLE = 'matchreports';
const DUE = 'due';

/** An audience waiting for its next match report: written at `writtenAt`, asked about from `dueAt`. */
export interface MatchDue {
  exportId: string;
  segment: string;
  connectionId: string;
  advertiserId: string;
  audienceId: string;
  sent: number;
  writtenAt: string;
  dueAt: string;
}

/** One match report of one audience: members sent, matched by RollWorks, and their ratio. */
export interface MatchPoint {
  segment: string;
  audienceId: string;
  at: string;
  sent: number;
  matched: number;
  /** matched / sent; above 1 when RollWorks matched people on several devices. */
  rate: number;
}

const dueKey = (exportId: string, segment: string) => tableKey(`${exportId}|${segment}`);
const pointKey = (point: MatchPoint) => `${tableKey(point.segment)}|${point.at}`;

function strip<T>(
  entity: T & { partitionKey?: string; rowKey?: string; etag?: string; timestamp?: string },
): T {
  const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...rest } = entity;
  return rest as T;
}

/** Due audiences (partition `due`) and each export's time series (partition: the export id). */
export function createMatchStore(table: () => Promise<TableClient>) {
  return {
    async setDue(due: MatchDue): Promise<void> {
      await (
        await table()
      ).upsertEntity({ partitionKey: DUE, rowKey: dueKey(due.exportId, due.segment), ...due }, 'Replace');
    },

    async listDue(until: Date): Promise<MatchDue[]> {
      const found: MatchDue[] = [];
      const entities = (await table()).listEntities<MatchDue>({
        queryOptions: { filter: `PartitionKey eq '${DUE}' and dueAt le '${until.toISOString()}'` },
      });
      for await (const entity of entities) found.push(strip(entity));
      return found;
    },

    async addPoint(exportId: string, point: MatchPoint): Promise<void> {
      await (
        await table()
      ).upsertEntity({ partitionKey: exportId, rowKey: pointKey(point), ...point }, 'Replace');
    },

    /** The export's reports, oldest first. */
    async history(exportId: string): Promise<MatchPoint[]> {
      const found: MatchPoint[] = [];
      try {
        const entities = (await table()).listEntities<MatchPoint>({
          queryOptions: { filter: `PartitionKey eq '${exportId.replace(/'/g, "''")}'` },
        });
        for await (const entity of entities) found.push(strip(entity));
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
      return found.sort((a, b) => a.at.localeCompare(b.at));
    },
  };
}

export type MatchStore = ReturnType<typeof createMatchStore>;
