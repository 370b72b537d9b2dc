import type { TableClient } from '@azure/data-tables';
import { hasStatus } from '../storage/tables';

export const WEBHOOK_DELIVERIES_TABLE = 'webhookdeliveries';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One event on its way to one webhook. */
export interface Delivery {
  webhookId: string;
  eventId: string;
  type: string;
  createdAt: string;
  attempts: number;
  state: DeliveryState;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  /** The receiver's status code, or what went wrong (`timeout`, `connection error`...). */
  lastStatus?: string;
  nextAttemptAt?: string;
}

// Row keys sort newest first, so "the last deliveries" is the head of the partition.
const rowKey = (createdAt: string, eventId: string) =>
  `${String(8_640_000_000_000_000 - Date.parse(createdAt)).padStart(16, '0')}_${eventId}`;

type DeliveryEntity = Delivery & { partitionKey: string; rowKey: string };

const toDelivery = ({
  partitionKey: _partition,
  rowKey: _row,
  etag: _etag,
  timestamp: _timestamp,
  ...delivery
}: DeliveryEntity & { etag?: string; timestamp?: string }): Delivery => delivery;

export function createDeliveryStore(table: () => Promise<TableClient>) {
  const key = (delivery: Pick<Delivery, 'webhookId' | 'eventId' | 'createdAt'>) => ({
    partitionKey: delivery.webhookId,
    rowKey: rowKey(delivery.createdAt, delivery.eventId),
  });
  return {
    /** Records a new pending delivery; a second call for the same event and webhook keeps the first. */
    async create(delivery: Delivery): Promise<void> {
      await (await table()).createEntity({ ...key(delivery), ...delivery }).catch((error: unknown) => {
        if (!hasStatus(error, 409)) throw error;
      });
    },

    async read(webhookId: string, eventId: string, createdAt: string): Promise<Delivery | undefined> {
      const { partitionKey, rowKey: row } = key({ webhookId, eventId, createdAt });
      try {
        return toDelivery(await (await table()).getEntity<DeliveryEntity>(partitionKey, row));
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    },

    async save(delivery: Delivery): Promise<void> {
      await (await table()).upsertEntity({ ...key(delivery), ...delivery }, 'Replace');
    },

    async latest(webhookId: string, top: number): Promise<Delivery[]> {
      const found: Delivery[] = [];
      const entities = (await table()).listEntities<DeliveryEntity>({
        queryOptions: { filter: `PartitionKey eq '${webhookId.replace(/'/g, "''")}'` },
      });
      for await (const entity of entities) {
        found.push(toDelivery(entity));
        if (found.length >= top) break;
      }
      return found;
    },

    async removeAll(webhookId: string): Promise<void> {
      const client = await table();
      for (const delivery of await this.latest(webhookId, 10_000)) {
        await client
          .deleteEntity(webhookId, rowKey(delivery.createdAt, delivery.eventId))
          .catch(() => undefined);
      }
    },
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
