import type { TableClient } from '@azure/data-tables';
import type { Logger } from '../logging/logger';
import { ensureTable, statusOf } from '../storage/tables';

/** What was learned by reading a segment once: valid while its partitions keep their ETags. */
export interface SegmentStats {
  /** Data rows (records and invalid rows); null when only the fields were read. */
  rowCount: number | null;
  fields: string[];
}

export interface SegmentStatsCache {
  get(segment: string, contentKey: string): Promise<SegmentStats | undefined>;
  set(segment: string, contentKey: string, stats: SegmentStats): Promise<void>;
}

const PARTITION = 'segment';

/**
 * Counted sizes (and fields) per segment in a small app-storage table (shared by every instance),
 * with an in-process copy in front; fields read without counting are kept in process only. The key of an entry is the segment's content key (partition names and
 * ETags), so a rewritten partition is a cache miss. The cache is an optimisation: storage errors are
 * logged and treated as a miss.
 */
export function createTableStatsCache(table: () => TableClient, logger: Logger): SegmentStatsCache {
  const memory = new Map<string, { contentKey: string; stats: SegmentStats }>();

  return {
    async get(segment, contentKey) {
      const known = memory.get(segment);
      const knownHere = known?.contentKey === contentKey ? known.stats : undefined;
      if (knownHere && knownHere.rowCount !== null) return knownHere;
      try {
        await ensureTable(table());
        const entity = await table().getEntity<{ contentKey: string; rowCount?: number; fields: string }>(
          PARTITION,
          rowKey(segment),
        );
        if (entity.contentKey !== contentKey || typeof entity.rowCount !== 'number') return knownHere;
        const stats: SegmentStats = {
          rowCount: entity.rowCount,
          fields: JSON.parse(entity.fields) as string[],
        };
        memory.set(segment, { contentKey, stats });
        return stats;
      } catch (error) {
        if (statusOf(error) !== 404) {
          logger.warn('segment stats cache read failed', { segment, status: statusOf(error) });
        }
        return knownHere;
      }
    },
    async set(segment, contentKey, stats) {
      const known = memory.get(segment);
      if (stats.rowCount === null) {
        // Fields alone are cheap to read again: kept in process only, never over a stored count.
        if (known?.contentKey !== contentKey) memory.set(segment, { contentKey, stats });
        return;
      }
      memory.set(segment, { contentKey, stats });
      try {
        await ensureTable(table());
        await table().upsertEntity(
          {
            partitionKey: PARTITION,
            rowKey: rowKey(segment),
            contentKey,
            rowCount: stats.rowCount,
            fields: JSON.stringify(stats.fields),
            storedAt: new Date(),
          },
          'Replace',
        );
      } catch (error) {
        logger.warn('segment stats cache write failed', { segment, status: statusOf(error) });
      }
    },
  };
}

/** Table keys may not hold / \ # ? or control characters; folder names may. */
function rowKey(segment: string): string {
  return encodeURIComponent(segment);
}
