import { app, type InvocationContext, type Timer } from '@azure/functions';
import { contextLogger } from '../shared/logging/logger';
import { getServices } from '../shared/services';

/**
 * Deletes run data and rejection reports past their retention (see shared/retention), and queues again
 * audience deactivations that lost their message (shared/discontinue); logs counts only.
 */
export async function retentionTick(_timer: Timer, context: InvocationContext): Promise<void> {
  const logger = contextLogger(context, { invocationId: context.invocationId });
  const services = getServices();
  await services.retention.run(logger);
  await services.discontinue.requeueStale(logger);
}

app.timer('retention', { schedule: '%RETENTION_CRON%', handler: retentionTick });
