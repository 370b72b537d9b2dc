import type { Logger } from '../logging/logger';
import { isFinalRunStatus, isFinalSegmentStatus } from '../model/run';
import type { WorkerPorts } from './workerPorts';

export interface WatchdogResult {
  handedOver: number;
}

/**
 * Finds segments whose worker died or hung (no heartbeat for RUN_STALE_AFTER_SECONDS), marks them
 * `stalled` and puts a new message on the queue. The new message takes the lease over at once, since
 * the holder is stale; a slow-but-alive holder keeps beating and is never handed over. The queue's own
 * redelivery of the dead worker's message, minutes later, finds the segment final or owned.
 */
export function createSegmentWatchdog(ports: Pick<WorkerPorts, 'leases' | 'runs' | 'queue' | 'clock'>) {
  return {
    async tick(logger: Logger): Promise<WatchdogResult> {
      const now = ports.clock.now();
      let handedOver = 0;
      for (const lease of await ports.leases.stale(now)) {
        const ids = { runId: lease.runId, segment: lease.segment };
        const run = await ports.runs.get(lease.runId);
        const state = run?.segments.find((s) => s.segment === lease.segment);
        if (!run || !state || isFinalRunStatus(run.status) || isFinalSegmentStatus(state.status)) continue;
        if (!(await ports.leases.markHandedOver(lease, now))) continue; // it came back to life
        await ports.runs.updateSegment(lease.runId, lease.segment, (current) =>
          isFinalSegmentStatus(current.status)
            ? current
            : { ...current, status: 'stalled', stalledSince: lease.heartbeatAt },
        );
        await ports.queue.send({
          v: 1,
          kind: 'exportSegment',
          runId: run.id,
          exportId: run.exportId,
          segment: lease.segment,
        });
        logger.warn('segment stalled; handed to a new worker', {
          ...ids,
          exportId: run.exportId,
          lastHeartbeat: lease.heartbeatAt,
        });
        handedOver++;
      }
      return { handedOver };
    },
  };
}
