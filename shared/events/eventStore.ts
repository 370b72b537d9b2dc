import type { TableClient } from '@azure/data-tables';
import { hasStatus } from '../storage/tables';
import type { CloudEvent } from './cloudEvent';

export const WEBHOOK_EVENTS_TABLE = 'webhookevents';

/** The events themselves, so queue messages carry references only (event and webhook ids). */
export function createEventStore(table: () => Promise<TableClient>) {
  return {
    async save(event: CloudEvent): Promise<void> {
      await (
        await table()
      ).upsertEntity(
        { partitionKey: event.id, rowKey: '', body: JSON.stringify(event), time: event.time },
        'Replace',
      );
    },

    async read(id: string): Promise<CloudEvent | undefined> {
      try {
        const entity = await (await table()).getEntity<{ body: string }>(id, '');
        return JSON.parse(entity.body) as CloudEvent;
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
