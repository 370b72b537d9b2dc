import type { StorageClients } from '../storage/clients';
import { lazyTable } from '../storage/tables';
import { createDeliveryStore, WEBHOOK_DELIVERIES_TABLE } from './deliveryStore';
import { createEventStates, EVENT_STATES_TABLE } from './eventStates';
import { createEventStore, WEBHOOK_EVENTS_TABLE } from './eventStore';
import { createWebhookStore, WEBHOOKS_TABLE } from './webhookStore';

/** The webhook, event, delivery and event state tables. */
export function createEventStores(storage: StorageClients) {
  return {
    webhooks: createWebhookStore(lazyTable(storage, WEBHOOKS_TABLE)),
    events: createEventStore(lazyTable(storage, WEBHOOK_EVENTS_TABLE)),
    deliveries: createDeliveryStore(lazyTable(storage, WEBHOOK_DELIVERIES_TABLE)),
    states: createEventStates(lazyTable(storage, EVENT_STATES_TABLE)),
  };
}

export type EventStores = ReturnType<typeof createEventStores>;
