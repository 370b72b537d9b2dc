import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { StorageClients } from '../storage/clients';
import { InvalidError } from '../errors/domainErrors';
import { hasStatus, lazyTable } from '../storage/tables';

export const IDEMPOTENCY_TABLE = 'idempotency';
/** A key is remembered this long; afterwards it may start a new run. */
export const KEY_LIFETIME_MS = 24 * 3600 * 1000;

interface KeyEntity {
  partitionKey: string;
  rowKey: string;
  runId: string;
  request: string;
  createdAt: string;
}

const partitionOf = (principalId: string) =>
  createHash('sha256').update(principalId).digest('base64url').slice(0, 32);
const rowOf = (key: string) => createHash('sha256').update(key).digest('base64url');

/** `Idempotency-Key` per caller: the first request claims the key for a run id; retries find it. */
export function createIdempotencyStore(storage: StorageClients) {
  const table: () => Promise<TableClient> = lazyTable(storage, IDEMPOTENCY_TABLE);

  return {
    async claim(
      principalId: string,
      key: string,
      request: Record<string, unknown>,
      runId: string,
      now: Date,
    ): Promise<{ kind: 'claimed' } | { kind: 'existing'; runId: string }> {
      const client = await table();
      const entity: KeyEntity = {
        partitionKey: partitionOf(principalId),
        rowKey: rowOf(key),
        runId,
        request: JSON.stringify(request),
        createdAt: now.toISOString(),
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await client.createEntity(entity);
          return { kind: 'claimed' };
        } catch (error) {
          if (!hasStatus(error, 409)) throw error;
        }
        let existing: KeyEntity;
        try {
          existing = await client.getEntity<KeyEntity>(entity.partitionKey, entity.rowKey);
        } catch (error) {
          if (hasStatus(error, 404)) continue;
          throw error;
        }
        if (now.getTime() - Date.parse(existing.createdAt) > KEY_LIFETIME_MS) {
          await client.deleteEntity(entity.partitionKey, entity.rowKey).catch(() => undefined);
          continue;
        }
        if (existing.request !== entity.request) {
          throw new InvalidError(
            'This Idempotency-Key was already used for a different request; use a new key for a new request.',
            { code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' },
          );
        }
        return { kind: 'existing', runId: existing.runId };
      }
      throw new Error('could not claim the idempotency key');
    },

    /** Forgets a claim whose request failed, so that a retry is evaluated afresh. */
    async release(principalId: string, key: string): Promise<void> {
      await (await table()).deleteEntity(partitionOf(principalId), rowOf(key)).catch(() => undefined);
    },
  };
}
