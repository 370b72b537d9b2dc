import { app, type InvocationContext } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';

/** Deactivations that failed `maxDequeueCount` times: recorded as failed on their `discontinued` row. */
app.storageQueue('audienceDeactivationPoison', {
  queueName: '%DEACTIVATION_QUEUE_NAME%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message: unknown, context: InvocationContext) => {
    const logger = contextLogger(context, { invocationId: context.invocationId });
    await getServices().audienceDeactivator.handlePoison(message, logger);
  },
});
