import type { TableClient } from '@azure/data-tables';
import { ensuredTable, statusOf, tableKey } from '../storage/tables';

export const SEGMENT_WORK_TABLE = 'segmentWork';

interface WorkEntity {
  partitionKey: string;
  rowKey: string;
  owner: string;
  heartbeatAt: string;
  requeues: number;
  /** Reads that found the segment changing under them (SEGMENT_CHANGED_DURING_READ). */
  readChanges?: number;
  /** When the watchdog last handed this segment to a new worker. */
  handedOverAt?: string;
}

/** A segment held by a worker that has sent no heartbeat since `heartbeatAt`. */
export interface StaleLease {
  runId: string;
  segment: string;
  heartbeatAt: string;
}

export type LeaseClaim =
  { ok: true; requeues: number; readChanges: number } | { ok: false; busyForMs: number };

/** What a released attempt re-enqueued the segment for, counted on the lease. */
export type Requeue = 'retry' | 'readChange' | null;

/**
 * Who works on a (run, segment) right now, so a duplicate message never runs the same segment in
 * parallel. The holder is the queue message id: a redelivery of the same message takes over at once
 * (its previous holder died or gave it up); another message waits until the holder's heartbeat is
 * older than `staleAfterMs`. Also counts re-enqueues after retryable errors.
 */
export function createSegmentLeases(table: () => TableClient, staleAfterMs: number) {
  const stale = (at: string | undefined, now: Date) => !at || now.getTime() - Date.parse(at) >= staleAfterMs;
  const client = ensuredTable(table);
  const keys = (runId: string, segment: string) => ({
    partitionKey: tableKey(runId),
    rowKey: tableKey(segment),
  });

  async function read(runId: string, segment: string) {
    const { partitionKey, rowKey } = keys(runId, segment);
    try {
      const entity = await (await client()).getEntity<WorkEntity>(partitionKey, rowKey);
      return entity;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  return {
    async claim(runId: string, segment: string, owner: string, now: Date): Promise<LeaseClaim> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await read(runId, segment);
        const entity: WorkEntity = {
          ...keys(runId, segment),
          owner,
          heartbeatAt: now.toISOString(),
          requeues: Number(current?.requeues ?? 0),
          readChanges: Number(current?.readChanges ?? 0),
        };
        try {
          if (!current) {
            await (await client()).createEntity(entity);
            return { ok: true, requeues: 0, readChanges: 0 };
          }
          const age = now.getTime() - Date.parse(current.heartbeatAt);
          if (current.owner && current.owner !== owner && age < staleAfterMs) {
            return { ok: false, busyForMs: staleAfterMs - age };
          }
          await (await client()).updateEntity(entity, 'Replace', { etag: current.etag });
          return { ok: true, requeues: entity.requeues, readChanges: entity.readChanges ?? 0 };
        } catch (error) {
          if (statusOf(error) === 409 || statusOf(error) === 412) continue;
          throw error;
        }
      }
      return { ok: false, busyForMs: 5_000 };
    },

    async heartbeat(runId: string, segment: string, owner: string, now: Date): Promise<void> {
      const current = await read(runId, segment);
      if (!current || current.owner !== owner) return;
      await (
        await client()
      )
        .updateEntity({ ...keys(runId, segment), heartbeatAt: now.toISOString() }, 'Merge', {
          etag: current.etag,
        })
        .catch((error: unknown) => {
          if (statusOf(error) !== 412) throw error;
        });
    },

    /**
     * Held segments whose heartbeat is older than the stale age, and that the watchdog has not handed
     * over within that age either (so one stall is handed over once, not on every tick).
     */
    async stale(now: Date): Promise<StaleLease[]> {
      const cutoff = new Date(now.getTime() - staleAfterMs).toISOString();
      const found: StaleLease[] = [];
      const entities = (await client()).listEntities<WorkEntity>({
        queryOptions: { filter: `owner ne '' and heartbeatAt lt '${cutoff}'` },
      });
      for await (const entity of entities) {
        if (!entity.owner || !stale(entity.handedOverAt, now)) continue;
        found.push({
          runId: decodeURIComponent(entity.partitionKey),
          segment: decodeURIComponent(entity.rowKey),
          heartbeatAt: entity.heartbeatAt,
        });
      }
      return found;
    },

    /** Records a hand-over; false when the holder came back to life (a heartbeat) meanwhile. */
    async markHandedOver(lease: StaleLease, now: Date): Promise<boolean> {
      const current = await read(lease.runId, lease.segment);
      if (!current || current.heartbeatAt !== lease.heartbeatAt) return false;
      try {
        await (
          await client()
        ).updateEntity({ ...keys(lease.runId, lease.segment), handedOverAt: now.toISOString() }, 'Merge', {
          etag: current.etag,
        });
        return true;
      } catch (error) {
        if (statusOf(error) === 412) return false;
        throw error;
      }
    },

    /** Gives the segment up; `requeued` adds one to the count of that kind of re-enqueue. */
    async release(runId: string, segment: string, owner: string, requeued: Requeue = null): Promise<void> {
      const current = await read(runId, segment);
      if (!current || current.owner !== owner) return;
      await (
        await client()
      )
        .updateEntity(
          {
            ...keys(runId, segment),
            owner: '',
            requeues: Number(current.requeues ?? 0) + (requeued === 'retry' ? 1 : 0),
            readChanges: Number(current.readChanges ?? 0) + (requeued === 'readChange' ? 1 : 0),
          },
          'Merge',
          { etag: current.etag },
        )
        .catch((error: unknown) => {
          if (statusOf(error) !== 412) throw error;
        });
    },
  };
}

export type SegmentLeases = ReturnType<typeof createSegmentLeases>;
