import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import type { DeliverWebhookMessage } from '../queue/envelope';
import type { QueueSender } from '../queue/exportQueue';
import { toCloudEvent } from './cloudEvent';
import type { DeliveryStore } from './deliveryStore';
import type { EventStore } from './eventStore';
import type { AppEvent } from './eventTypes';
import { assertNoPersonalData } from './personalData';
import type { Webhook, WebhookStore } from './webhookStore';

export interface EventPublisher {
  /** Hands the event to every enabled webhook subscribed to its type; delivery happens from a queue. */
  publish(event: AppEvent): Promise<void>;
  /** Hands the event to one webhook whatever it subscribed to (the test event). Answers the event id. */
  publishTo(webhook: Webhook, event: AppEvent): Promise<string>;
}

export interface EventPublisherDeps {
  webhooks: WebhookStore;
  events: EventStore;
  deliveries: DeliveryStore;
  queue: QueueSender<DeliverWebhookMessage>;
  clock: Clock;
  /** The app's public URL: the CloudEvents `source`. */
  source: string;
  logger: Logger;
}

export function createEventPublisher(deps: EventPublisherDeps): EventPublisher {
  const { webhooks, events, deliveries, queue, clock, source, logger } = deps;

  async function send(targets: Webhook[], event: AppEvent): Promise<string> {
    assertNoPersonalData(event.data);
    const id = randomUUID();
    if (targets.length === 0) return id;
    const now = clock.now();
    const cloudEvent = toCloudEvent(event, id, source, now);
    await events.save(cloudEvent);
    const createdAt = now.toISOString();
    for (const webhook of targets) {
      await deliveries.create({
        webhookId: webhook.id,
        eventId: id,
        type: cloudEvent.type,
        createdAt,
        attempts: 0,
        state: 'pending',
      });
      await queue.send({ v: 1, kind: 'deliverWebhook', webhookId: webhook.id, eventId: id, createdAt });
    }
    logger.info('event published', {
      eventId: id,
      type: event.type,
      subject: event.subject,
      webhooks: targets.length,
    });
    return id;
  }

  return {
    async publish(event) {
      const targets = (await webhooks.list()).filter(
        (webhook) => webhook.enabled && webhook.events.includes(event.type),
      );
      await send(targets, event);
    },
    publishTo: (webhook, event) => send([webhook], event),
  };
}
