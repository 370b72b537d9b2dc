import { app, type InvocationContext } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';

/** Messages that failed `maxDequeueCount` times: the segment is marked failed with its last error. */
app.storageQueue('exportWorkerPoison', {
  queueName: '%EXPORT_QUEUE_NAME%-poison',
  connection: 'AzureWebJobsStorage',
  handler: async (message: unknown, context: InvocationContext) => {
    const logger = contextLogger(context, { invocationId: context.invocationId });
    await getServices().worker.handlePoison(message, logger);
  },
});
