import type { TableClient } from '@azure/data-tables';
import type { Services } from '../services';
import type { Logger } from '../logging/logger';
import { hasStatus, lazyTable } from '../storage/tables';
import { dueTimesBetween, latestDueTime, nextDueTime } from './cron';
import { effectiveSchedule } from './exportSchedule';
import type { SegmentVersion } from '../segments/segmentSource';
import { createSegmentWatch, type WatchOutcome } from './segmentWatch';

export const SCHEDULER_TABLE = 'scheduler';
const STATE_KEY = { partitionKey: 'scheduler', rowKey: 'state' };

export interface TickResult {
  /** The window (after, until] this tick looked at. */
  after: string;
  until: string;
  started: { exportId: string; runId: string; dueAt: string; status: string }[];
  /** Exports whose due run already existed (duplicate or late tick). */
  alreadyStarted: { exportId: string; dueAt: string }[];
  /** Exports with more than one due time in the window: only the latest ran (catch-up). */
  caughtUp: { exportId: string; missed: number }[];
  failed: { exportId: string; error: string }[];
  /** `segmentUpdated` exports: what each tick found (started, already started, deferred, unchanged). */
  segmentUpdated: ({ exportId: string } & WatchOutcome)[];
}

/**
 * One scheduler tick: for every enabled, active export, the latest due time since the previous
 * tick starts its scheduled run (a `segmentUpdated` export: a new complete segment version does). Run ids derive from (export, due time), so a duplicated or late
 * tick finds the run already there; after an outage, only the latest missed due time runs.
 */
export function createScheduler(services: Services) {
  const table: () => Promise<TableClient> = lazyTable(services.storage, SCHEDULER_TABLE);
  const watch = createSegmentWatch(services);

  async function readState(): Promise<{ lastTick: Date | null; etag: string | null }> {
    try {
      const entity = await (
        await table()
      ).getEntity<{ lastTick: string }>(STATE_KEY.partitionKey, STATE_KEY.rowKey);
      return { lastTick: new Date(entity.lastTick), etag: entity.etag };
    } catch (error) {
      if (hasStatus(error, 404)) return { lastTick: null, etag: null };
      throw error;
    }
  }

  /** Moves lastTick forward (never back); a concurrent tick that moved it further wins. */
  async function advance(until: Date): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { lastTick, etag } = await readState();
      if (lastTick && lastTick.getTime() >= until.getTime()) return;
      const entity = { ...STATE_KEY, lastTick: until.toISOString() };
      try {
        if (etag === null) await (await table()).createEntity(entity);
        else await (await table()).updateEntity(entity, 'Replace', { etag });
        return;
      } catch (error) {
        if (!hasStatus(error, 409) && !hasStatus(error, 412)) throw error;
      }
    }
  }

  /** Where a first tick starts looking: one scheduler period back. */
  function firstWindowStart(now: Date): Date {
    const schedule = { cron: services.config.SCHEDULER_CRON, timeZone: 'UTC' };
    const [a, b] = dueTimesBetween(schedule, now, new Date(now.getTime() + 366 * 86_400_000), 2);
    const period = a && b ? b.getTime() - a.getTime() : 5 * 60_000;
    return new Date(now.getTime() - period);
  }

  return {
    async tick(logger: Logger, now = services.clock.now()): Promise<TickResult> {
      const { lastTick } = await readState();
      const after = lastTick ?? firstWindowStart(now);
      const result: TickResult = {
        after: after.toISOString(),
        until: now.toISOString(),
        started: [],
        alreadyStarted: [],
        caughtUp: [],
        failed: [],
        segmentUpdated: [],
      };
      // One listing per segment folder per tick, shared by the exports that use the segment.
      const versions = new Map<string, Promise<SegmentVersion>>();
      const versionOf = (segment: string) => {
        if (!versions.has(segment)) versions.set(segment, services.segments.version(segment));
        return versions.get(segment)!;
      };
      const exports = await services.exports.listAll();
      for (const exportConfig of exports) {
        const exportId = exportConfig.id;
        try {
          await services.runs.promoteWaiting(exportId);
          if (!exportConfig.schedule.enabled || exportConfig.status !== 'active') continue;
          const schedule = effectiveSchedule(exportConfig.schedule, services.config);
          if (!schedule) {
            const outcome = await watch.check(exportConfig, now, versionOf);
            result.segmentUpdated.push({ exportId, ...outcome });
            if (outcome.kind === 'started') {
              logger.info('run started for changed segments', {
                exportId,
                runId: outcome.runId,
                segments: outcome.segments.length,
                status: outcome.status,
              });
            }
            continue;
          }
          const dueAt = latestDueTime(schedule, after, now);
          if (!dueAt) continue;
          const missed = dueTimesBetween(schedule, after, now, 100).length - 1;
          if (missed > 0) result.caughtUp.push({ exportId, missed });
          const run = await services.runs.startScheduled(exportId, dueAt);
          if (run) {
            result.started.push({ exportId, runId: run.id, dueAt: dueAt.toISOString(), status: run.status });
            logger.info('scheduled run started', {
              exportId,
              runId: run.id,
              dueAt: dueAt.toISOString(),
              status: run.status,
            });
          } else {
            result.alreadyStarted.push({ exportId, dueAt: dueAt.toISOString() });
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : 'unknown error';
          result.failed.push({ exportId, error: message });
          logger.error('scheduled run could not start', { exportId, error: message });
        }
      }
      // A failed export keeps the window open so that the next tick tries it again.
      if (result.failed.length === 0) await advance(now);
      return result;
    },
    /** The next due time of an export (for display); null when it runs on segment changes. */
    nextDue(schedule: Parameters<typeof effectiveSchedule>[0], after: Date): Date | null {
      const cron = effectiveSchedule(schedule, services.config);
      return cron && nextDueTime(cron, after);
    },
  };
}
