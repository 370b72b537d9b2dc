import type { TableClient } from '@azure/data-tables';
import { ensuredTable, statusOf, tableKey } from '../storage/tables';

export const SEGMENT_WORK_TABLE = 'segmentWork';

interface WorkEntity {
  partitionKey: string;
  rowKey: string;
  owner: string;
  heartbeatAt: string;
  requeues: number;
}

export type LeaseClaim = { ok: true; requeues: number } | { ok: false; busyForMs: number };

/**
 * Who works on a (run, segment) right now, so a duplicate message never runs the same segment in
 * parallel. The holder is the queue message id: a redelivery of the same message takes over at once
 * (its previous holder died or gave it up); another message waits until the holder's heartbeat is
 * older than `staleAfterMs`. Also counts re-enqueues after retryable errors.
 */
export function createSegmentLeases(table: () => TableClient, staleAfterMs: number) {
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
        };
        try {
          if (!current) {
            await (await client()).createEntity(entity);
            return { ok: true, requeues: 0 };
          }
          const age = now.getTime() - Date.parse(current.heartbeatAt);
          if (current.owner && current.owner !== owner && age < staleAfterMs) {
            return { ok: false, busyForMs: staleAfterMs - age };
          }
          await (await client()).updateEntity(entity, 'Replace', { etag: current.etag });
          return { ok: true, requeues: entity.requeues };
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

    /** Gives the segment up; `countRequeue` adds one to the retry count kept for the poison rule. */
    async release(runId: string, segment: string, owner: string, countRequeue = false): Promise<void> {
      const current = await read(runId, segment);
      if (!current || current.owner !== owner) return;
      await (
        await client()
      )
        .updateEntity(
          {
            ...keys(runId, segment),
            owner: '',
            requeues: Number(current.requeues ?? 0) + (countRequeue ? 1 : 0),
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
