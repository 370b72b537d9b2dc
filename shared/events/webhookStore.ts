import type { TableClient } from '@azure/data-tables';
import { hasStatus, retryOnConflict } from '../storage/tables';
import type { EventType } from './eventTypes';

export const WEBHOOKS_TABLE = 'webhooks';
const PARTITION = 'webhook';

/** A subscription of another service to this app's events. Its signing secret is in the secret store. */
export interface Webhook {
  id: string;
  url: string;
  events: EventType[];
  description: string;
  enabled: boolean;
  createdAt: string;
  createdBy: string;
  /** First failed delivery since the last successful one. */
  failingSince?: string;
  disabledAt?: string;
  disabledReason?: string;
}

interface WebhookEntity {
  partitionKey: string;
  rowKey: string;
  url: string;
  events: string;
  description: string;
  enabled: boolean;
  createdAt: string;
  createdBy: string;
  failingSince?: string;
  disabledAt?: string;
  disabledReason?: string;
}

const toWebhook = (entity: WebhookEntity): Webhook => ({
  id: entity.rowKey,
  url: entity.url,
  events: JSON.parse(entity.events) as EventType[],
  description: entity.description,
  enabled: entity.enabled,
  createdAt: entity.createdAt,
  createdBy: entity.createdBy,
  ...(entity.failingSince ? { failingSince: entity.failingSince } : {}),
  ...(entity.disabledAt ? { disabledAt: entity.disabledAt, disabledReason: entity.disabledReason } : {}),
});

const toEntity = (webhook: Webhook): WebhookEntity => ({
  partitionKey: PARTITION,
  rowKey: webhook.id,
  url: webhook.url,
  events: JSON.stringify(webhook.events),
  description: webhook.description,
  enabled: webhook.enabled,
  createdAt: webhook.createdAt,
  createdBy: webhook.createdBy,
  failingSince: webhook.failingSince ?? '',
  disabledAt: webhook.disabledAt ?? '',
  disabledReason: webhook.disabledReason ?? '',
});

export function createWebhookStore(table: () => Promise<TableClient>) {
  return {
    async create(webhook: Webhook): Promise<void> {
      await (await table()).createEntity(toEntity(webhook));
    },

    async read(id: string): Promise<Webhook | undefined> {
      try {
        return toWebhook(await (await table()).getEntity<WebhookEntity>(PARTITION, id));
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    },

    async list(): Promise<Webhook[]> {
      const found: Webhook[] = [];
      const entities = (await table()).listEntities<WebhookEntity>({
        queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
      });
      for await (const entity of entities) found.push(toWebhook(entity));
      return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    /** Applies `change` with an ETag check, retried on conflict; undefined when the webhook is gone. */
    async update(id: string, change: (webhook: Webhook) => Webhook): Promise<Webhook | undefined> {
      const client = await table();
      return retryOnConflict(async () => {
        let entity: WebhookEntity & { etag: string };
        try {
          entity = await client.getEntity<WebhookEntity>(PARTITION, id);
        } catch (error) {
          if (hasStatus(error, 404)) return undefined;
          throw error;
        }
        const next = change(toWebhook(entity));
        await client.updateEntity(toEntity(next), 'Replace', { etag: entity.etag });
        return next;
      });
    },

    async remove(id: string): Promise<void> {
      await (await table()).deleteEntity(PARTITION, id).catch((error: unknown) => {
        if (!hasStatus(error, 404)) throw error;
      });
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
