import { randomUUID } from 'node:crypto';
import { runsInAzure, type AppConfig } from '../config/config';
import type { Clock } from '../clock';
import { InvalidError, NotFoundError } from '../errors/domainErrors';
import type { IdentityRef } from '../model/identity';
import type { SecretStore } from '../secrets/secretStore';
import type { Delivery, DeliveryStore } from './deliveryStore';
import type { EventPublisher } from './eventPublisher';
import type { WebhookRequest } from './webhookSchemas';
import { webhookSecretName } from './webhookSecret';
import { newSigningSecret } from './webhookSignature';
import type { Webhook, WebhookStore } from './webhookStore';
import { resolutionProblem, urlFormProblem } from './webhookUrl';

const LAST_DELIVERIES = 50;

export interface WebhookServiceDeps {
  config: AppConfig;
  clock: Clock;
  secrets: SecretStore;
  webhooks: WebhookStore;
  deliveries: DeliveryStore;
  publisher: EventPublisher;
}

/** What admins do with webhooks; the signing secret is answered once, at creation, and kept in the secret store. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { config, clock, secrets, webhooks, deliveries, publisher } = deps;
  const rules = { inAzure: runsInAzure(config) };

  async function requireWebhook(id: string): Promise<Webhook> {
    const webhook = await webhooks.read(id);
    if (!webhook)
      throw new NotFoundError(`Webhook "${id}" does not exist.`, { code: 'WEBHOOK_NOT_FOUND', field: 'id' });
    return webhook;
  }

  async function checkUrl(url: string): Promise<void> {
    const problem = urlFormProblem(url, rules) ?? (await resolutionProblem(url, rules));
    if (problem)
      throw new InvalidError(`The webhook URL ${problem}.`, { code: 'WEBHOOK_URL_REFUSED', field: 'url' });
  }

  return {
    async create(request: WebhookRequest, creator: IdentityRef): Promise<Webhook & { secret: string }> {
      await checkUrl(request.url);
      const webhook: Webhook = {
        id: randomUUID(),
        url: request.url,
        events: request.events,
        description: request.description,
        enabled: true,
        createdAt: clock.now().toISOString(),
        createdBy: creator.name,
      };
      const secret = newSigningSecret();
      // The secret first: a webhook row never exists without its secret.
      await secrets.set(webhookSecretName(webhook.id), secret);
      await webhooks.create(webhook);
      return { ...webhook, secret };
    },

    list: () => webhooks.list(),

    get: requireWebhook,

    async remove(id: string): Promise<void> {
      await requireWebhook(id);
      await webhooks.remove(id);
      await secrets.delete(webhookSecretName(id));
      await deliveries.removeAll(id);
    },

    /** Sends `webhook.test` to this one webhook, whatever it subscribed to; answers the event id. */
    async sendTest(id: string): Promise<string> {
      const webhook = await requireWebhook(id);
      return publisher.publishTo(webhook, {
        type: 'webhook.test',
        subject: webhook.id,
        data: { webhookId: webhook.id, message: `A test event for webhook ${webhook.id}.` },
      });
    },

    async listDeliveries(id: string): Promise<Delivery[]> {
      await requireWebhook(id);
      return deliveries.latest(id, LAST_DELIVERIES);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
