import type { TableClient } from '@azure/data-tables';
import { hasStatus, retryOnConflict, tableKey } from '../storage/tables';

export const EVENT_STATES_TABLE = 'eventstates';
const PARTITION = 'state';

/**
 * The last state an event was published for (a run's outcome per export, a segment's failure code,
 * the daily budget...), so that an event fires on a change of state and not on every repeat.
 */
export function createEventStates(table: () => Promise<TableClient>) {
  return {
    /** Records `state` under `key`; answers whether it differs from the one before, and that one. */
    async change(key: string, state: string): Promise<{ changed: boolean; previous?: string }> {
      const client = await table();
      const rowKey = tableKey(key);
      return retryOnConflict(async () => {
        let current: { state: string; etag: string } | undefined;
        try {
          current = await client.getEntity<{ state: string }>(PARTITION, rowKey);
        } catch (error) {
          if (!hasStatus(error, 404)) throw error;
        }
        if (current?.state === state) return { changed: false, previous: state };
        const entity = { partitionKey: PARTITION, rowKey, state };
        if (current) await client.updateEntity(entity, 'Replace', { etag: current.etag });
        else await client.createEntity(entity);
        return { changed: true, previous: current?.state };
      });
    },
  };
}

export type EventStates = ReturnType<typeof createEventStates>;
