import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Clock } from '../clock';
import { ensureTable, hasStatus } from '../storage/tables';

export const TOKEN_LEASES_TABLE = 'tokenleases';
const PARTITION = 'refresh';

interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  holder: string;
  expiresAt: string;
}

export interface Lease {
  release(): Promise<void>;
}

export interface RefreshLeaseOptions {
  /** How long a holder may keep the lease before others may take it over (longer than one refresh call). */
  leaseSeconds: number;
  /** How long to wait for another holder before giving up. */
  waitTimeoutMs: number;
}

/**
 * One lease row per connection in table `tokenleases`: whoever creates the row (or replaces an expired
 * one, ETag-checked) holds the lease; others wait. Serializes token refreshes across every instance.
 */
export function createRefreshLeases(table: TableClient, clock: Clock, options: RefreshLeaseOptions) {
  const ready = () => ensureTable(table);

  return {
    /** Deletes the connection's lease row, held or not (the connection is being deleted). */
    async remove(connectionId: string): Promise<void> {
      await ready();
      await table.deleteEntity(PARTITION, connectionId).catch((error: unknown) => {
        if (!hasStatus(error, 404)) throw error;
      });
    },

    async acquire(connectionId: string): Promise<Lease> {
      await ready();
      const holder = randomUUID();
      const deadline = Date.now() + options.waitTimeoutMs;
      const entity = (): LeaseEntity => ({
        partitionKey: PARTITION,
        rowKey: connectionId,
        holder,
        expiresAt: new Date(clock.now().getTime() + options.leaseSeconds * 1000).toISOString(),
      });
      for (let attempt = 0; ; attempt++) {
        let etag: string | undefined;
        try {
          etag = (await table.createEntity(entity())).etag;
        } catch (error) {
          if (!hasStatus(error, 409)) throw error;
          etag = await takeOverIfExpired(connectionId, entity);
        }
        if (etag) return { release: () => release(connectionId, etag) };
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out after ${options.waitTimeoutMs} ms waiting for another instance to finish refreshing the tokens of connection ${connectionId}.`,
          );
        }
        await sleep(Math.min(50 * 2 ** Math.min(attempt, 3), 400) * (0.5 + Math.random()));
      }
    },
  };

  async function takeOverIfExpired(
    connectionId: string,
    entity: () => LeaseEntity,
  ): Promise<string | undefined> {
    let current: LeaseEntity & { etag: string };
    try {
      current = await table.getEntity<LeaseEntity>(PARTITION, connectionId);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined; // released meanwhile: retry the create
      throw error;
    }
    if (Date.parse(current.expiresAt) > clock.now().getTime()) return undefined;
    try {
      return (await table.updateEntity(entity(), 'Replace', { etag: current.etag })).etag;
    } catch (error) {
      if (hasStatus(error, 412) || hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async function release(connectionId: string, etag: string | undefined): Promise<void> {
    try {
      await table.deleteEntity(PARTITION, connectionId, { etag });
    } catch (error) {
      // 412/404: the lease expired and someone else holds it now; theirs to release.
      if (!hasStatus(error, 412) && !hasStatus(error, 404)) throw error;
    }
  }
}

export type RefreshLeases = ReturnType<typeof createRefreshLeases>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
