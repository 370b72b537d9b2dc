import { app, type InvocationContext } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';

/** One audience of a removed export or segment to deactivate at RollWorks (see shared/discontinue). */
app.storageQueue('audienceDeactivation', {
  queueName: '%DEACTIVATION_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: async (message: unknown, context: InvocationContext) => {
    const logger = contextLogger(context, { invocationId: context.invocationId });
    await getServices().audienceDeactivator.handle(message, logger);
  },
});
