import { app, type InvocationContext, type Timer } from '@azure/functions';
import { contextLogger } from '../shared/logging/logger';
import { getServices } from '../shared/services';
import { createSegmentWatchdog } from '../shared/worker/segmentWatchdog';
import { workerPorts } from '../shared/worker/workerPorts';

/** Hands segments whose worker stopped sending heartbeats to a new worker (see shared/worker). */
export async function watchdogTick(_timer: Timer, context: InvocationContext): Promise<void> {
  const logger = contextLogger(context, { invocationId: context.invocationId });
  const { handedOver } = await createSegmentWatchdog(workerPorts(getServices())).tick(logger);
  if (handedOver > 0) logger.info('watchdog tick', { handedOver });
}

app.timer('watchdog', { schedule: '%WATCHDOG_CRON%', handler: watchdogTick });
