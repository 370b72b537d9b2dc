import { app, type InvocationContext } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';

/** One (run, segment) message: make the segment's RollWorks audience hold exactly its emails. */
app.storageQueue('exportWorker', {
  queueName: '%EXPORT_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: async (message: unknown, context: InvocationContext) => {
    const metadata = context.triggerMetadata ?? {};
    const messageId = String(metadata.id ?? context.invocationId);
    const logger = contextLogger(context, { invocationId: context.invocationId, messageId });
    await getServices().worker.handle(
      message,
      { dequeueCount: Number(metadata.dequeueCount ?? 1) || 1, messageId },
      logger,
    );
  },
});
