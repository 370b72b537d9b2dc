import { app, type InvocationContext } from '@azure/functions';
import { contextLogger } from '../shared/logging/logger';
import { deliverWebhookMessageSchema, parseEnvelope } from '../shared/queue/envelope';
import { getServices } from '../shared/services';

/** One event to one webhook: one attempt; a failed one is re-enqueued with a delay by the deliverer. */
app.storageQueue('webhookDelivery', {
  queueName: '%WEBHOOK_QUEUE_NAME%',
  connection: 'AzureWebJobsStorage',
  handler: async (message: unknown, context: InvocationContext) => {
    const parsed = parseEnvelope(message, deliverWebhookMessageSchema);
    if (!parsed.ok) {
      contextLogger(context).error('webhook message refused', { reason: parsed.reason });
      return;
    }
    await getServices().webhookDeliverer.deliver(parsed.message);
  },
});
