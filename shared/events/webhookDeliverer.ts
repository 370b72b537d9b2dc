import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import type { DeliverWebhookMessage } from '../queue/envelope';
import type { QueueSender } from '../queue/exportQueue';
import type { SecretStore } from '../secrets/secretStore';
import { CLOUD_EVENT_CONTENT_TYPE } from './cloudEvent';
import type { Delivery, DeliveryStore } from './deliveryStore';
import type { EventPublisher } from './eventPublisher';
import type { EventStore } from './eventStore';
import {
  delivered,
  describeOutcome,
  DISABLE_AFTER_MS,
  retryAgain,
  retryDelayMs,
  type AttemptOutcome,
} from './retryPolicy';
import { webhookSecretName } from './webhookSecret';
import type { WebhookSender } from './webhookSender';
import { signWebhook } from './webhookSignature';
import type { Webhook, WebhookStore } from './webhookStore';

export interface WebhookDelivererDeps {
  webhooks: WebhookStore;
  events: EventStore;
  deliveries: DeliveryStore;
  secrets: SecretStore;
  sender: WebhookSender;
  queue: QueueSender<DeliverWebhookMessage>;
  publisher: () => EventPublisher;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

/** Makes one attempt at one delivery, then records it and schedules the next attempt or gives up. */
export function createWebhookDeliverer(deps: WebhookDelivererDeps) {
  const { webhooks, events, deliveries, secrets, sender, queue, clock, logger } = deps;

  async function attempt(webhook: Webhook, delivery: Delivery): Promise<AttemptOutcome> {
    const event = await events.read(delivery.eventId);
    const secret = await secrets.get(webhookSecretName(webhook.id));
    if (!event || !secret)
      return { kind: 'refused', reason: event ? 'signing secret missing' : 'event missing' };
    const body = JSON.stringify(event);
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    return sender.post({
      url: webhook.url,
      body,
      headers: {
        'Content-Type': CLOUD_EVENT_CONTENT_TYPE,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, event.id, timestamp, body),
      },
    });
  }

  /** A failure since the last success; past DISABLE_AFTER_MS the webhook is disabled, which is an event too. */
  async function noteFailure(webhook: Webhook, now: Date): Promise<void> {
    const since = webhook.failingSince ?? now.toISOString();
    const disable = webhook.enabled && now.getTime() - Date.parse(since) >= DISABLE_AFTER_MS;
    await webhooks.update(webhook.id, (current) => ({
      ...current,
      failingSince: current.failingSince ?? since,
      ...(disable
        ? { enabled: false, disabledAt: now.toISOString(), disabledReason: 'Deliveries failed for 3 days.' }
        : {}),
    }));
    if (!disable) return;
    logger.error('webhook disabled after 3 days of failed deliveries', { webhookId: webhook.id });
    await deps.publisher().publish({
      type: 'webhook.disabled',
      subject: webhook.id,
      data: {
        webhookId: webhook.id,
        failingSince: since,
        message: `Webhook ${webhook.id} was disabled: its deliveries failed for 3 days.`,
      },
    });
  }

  return {
    async deliver(message: DeliverWebhookMessage): Promise<void> {
      const [webhook, delivery] = await Promise.all([
        webhooks.read(message.webhookId),
        deliveries.read(message.webhookId, message.eventId, message.createdAt),
      ]);
      if (!webhook || !delivery || delivery.state !== 'pending') return; // removed, or a redelivered message
      const now = clock.now();
      const outcome: AttemptOutcome = webhook.enabled
        ? await attempt(webhook, delivery)
        : { kind: 'refused', reason: 'webhook disabled' };
      const firstAttemptAt = delivery.firstAttemptAt ?? now.toISOString();
      const next: Delivery = {
        ...delivery,
        attempts: delivery.attempts + 1,
        firstAttemptAt,
        lastAttemptAt: now.toISOString(),
        lastStatus: describeOutcome(outcome),
      };
      const fields = {
        webhookId: webhook.id,
        eventId: delivery.eventId,
        attempt: next.attempts,
        outcome: next.lastStatus,
      };
      if (delivered(outcome)) {
        await deliveries.save({ ...next, state: 'delivered', nextAttemptAt: undefined });
        if (webhook.failingSince)
          await webhooks.update(webhook.id, (current) => ({ ...current, failingSince: undefined }));
        logger.info('webhook delivered', fields);
        return;
      }
      if (retryAgain(outcome, new Date(firstAttemptAt), now)) {
        const delayMs = retryDelayMs(next.attempts, deps.random);
        await deliveries.save({ ...next, nextAttemptAt: new Date(now.getTime() + delayMs).toISOString() });
        await queue.send(message, { delaySeconds: delayMs / 1000 });
        logger.warn('webhook delivery failed; will retry', {
          ...fields,
          retryInSeconds: Math.round(delayMs / 1000),
        });
      } else {
        await deliveries.save({ ...next, state: 'failed', nextAttemptAt: undefined });
        logger.warn('webhook delivery failed for good', fields);
      }
      await noteFailure(webhook, now);
    },
  };
}

export type WebhookDeliverer = ReturnType<typeof createWebhookDeliverer>;
