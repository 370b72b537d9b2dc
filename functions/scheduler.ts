import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';
import { createExportHealth } from '../shared/schedule/exportHealth';
import { createScheduler } from '../shared/schedule/schedulerService';

/** Starts the scheduled runs that fell due since the previous tick (see shared/schedule). */
export async function schedulerTick(_timer: Timer, context: InvocationContext): Promise<void> {
  const logger = contextLogger(context, { invocationId: context.invocationId });
  const result = await createScheduler(getServices()).tick(logger);
  const matchReports = await getServices().matchReports.tick();
  const health = await createExportHealth(getServices()).check(logger);
  logger.info('scheduler tick', {
    matchReports,
    overdue: health.overdue,
    expiring: health.expiring,
    started: result.started.length,
    alreadyStarted: result.alreadyStarted.length,
    caughtUp: result.caughtUp.length,
    segmentUpdated: result.segmentUpdated.filter((outcome) => outcome.kind === 'started').length,
    failed: result.failed.length,
  });
}

app.timer('scheduler', { schedule: '%SCHEDULER_CRON%', handler: schedulerTick });
