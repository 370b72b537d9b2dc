import { createHash, randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Clock } from '../clock';
import type { IdentityRef } from '../model/identity';
import { ensureTable, hasStatus } from '../storage/tables';

export const OAUTH_STATES_TABLE = 'oauthstates';
const PARTITION = 'state';

interface StateEntity {
  partitionKey: string;
  rowKey: string;
  connectionId: string;
  adminId: string;
  adminName: string;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  /** Set when a newer authorize for the same connection ended this state. */
  supersededAt?: string;
}

export type ConsumedState =
  | { ok: true; connectionId: string; admin: IdentityRef }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'superseded'; connectionId?: string };

/** Only a hash of the state is stored: a table reader cannot complete someone else's sign-in. */
const stateKey = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex');

/**
 * Single-use OAuth `state` values in table `oauthstates`: 256 random bits, bound to a connection and the
 * admin who asked, expiring after the configured lifetime, consumed with an ETag check so a replay
 * (even a concurrent one) fails.
 */
export function createOAuthStates(table: TableClient, clock: Clock, ttlSeconds: number) {
  const ready = () => ensureTable(table);

  return {
    async issue(connectionId: string, admin: IdentityRef): Promise<{ state: string; expiresAt: string }> {
      await ready();
      const state = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
      const entity: StateEntity = {
        partitionKey: PARTITION,
        rowKey: stateKey(state),
        connectionId,
        adminId: admin.id,
        adminName: admin.name,
        createdAt: now.toISOString(),
        expiresAt,
      };
      await endOpenStates(connectionId, now);
      await table.createEntity(entity);
      await removeExpired(now).catch(() => undefined);
      return { state, expiresAt };
    },

    async consume(state: string): Promise<ConsumedState> {
      await ready();
      let entity: StateEntity & { etag: string };
      try {
        entity = await table.getEntity<StateEntity>(PARTITION, stateKey(state));
      } catch (error) {
        if (hasStatus(error, 404)) return { ok: false, reason: 'unknown' };
        throw error;
      }
      if (entity.supersededAt) return { ok: false, reason: 'superseded', connectionId: entity.connectionId };
      if (entity.usedAt) return { ok: false, reason: 'used', connectionId: entity.connectionId };
      const now = clock.now();
      try {
        await table.updateEntity({ ...entity, usedAt: now.toISOString() }, 'Replace', { etag: entity.etag });
      } catch (error) {
        if (hasStatus(error, 412) || hasStatus(error, 404)) {
          return { ok: false, reason: 'used', connectionId: entity.connectionId };
        }
        throw error;
      }
      if (Date.parse(entity.expiresAt) <= now.getTime()) {
        return { ok: false, reason: 'expired', connectionId: entity.connectionId };
      }
      return {
        ok: true,
        connectionId: entity.connectionId,
        admin: { id: entity.adminId, name: entity.adminName },
      };
    },

    /** Deletes every state of a connection (it is being deleted): no sign-in can complete for it. */
    async removeFor(connectionId: string): Promise<void> {
      await ready();
      const states = table.listEntities<StateEntity>({
        queryOptions: {
          filter: `PartitionKey eq '${PARTITION}' and connectionId eq '${connectionId.replace(/'/g, "''")}'`,
        },
      });
      for await (const entity of states) {
        await table.deleteEntity(PARTITION, entity.rowKey).catch((error: unknown) => {
          if (!hasStatus(error, 404)) throw error;
        });
      }
    },
  };

  /** A new authorize ends the connection's states not used yet: only the newest link signs in. */
  async function endOpenStates(connectionId: string, now: Date): Promise<void> {
    const open = table.listEntities<StateEntity>({
      queryOptions: {
        filter: `PartitionKey eq '${PARTITION}' and connectionId eq '${connectionId.replace(/'/g, "''")}' and expiresAt gt '${now.toISOString()}'`,
      },
    });
    for await (const entity of open) {
      if (entity.usedAt || entity.supersededAt) continue;
      await table
        .updateEntity({ ...entity, supersededAt: now.toISOString() }, 'Replace', { etag: entity.etag })
        .catch((error: unknown) => {
          if (!hasStatus(error, 412, 404)) throw error;
        });
    }
  }

  /** Drops states that expired a day ago or more (kept that long so a late replay still reads "used"/"expired"). */
  async function removeExpired(now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
    const old = table.listEntities<StateEntity>({
      queryOptions: { filter: `PartitionKey eq '${PARTITION}' and expiresAt lt '${cutoff}'` },
    });
    let removed = 0;
    for await (const entity of old) {
      await table.deleteEntity(PARTITION, entity.rowKey).catch(() => undefined);
      if (++removed >= 50) break;
    }
  }
}

export type OAuthStates = ReturnType<typeof createOAuthStates>;
