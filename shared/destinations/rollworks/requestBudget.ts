import { ensureTable, hasStatus, statusOf } from '../../storage/tables';
import type { TableClient } from '@azure/data-tables';
import type { AppConfig } from '../../config/config';
import type { Clock } from '../../clock';
import type { StorageClients } from '../../storage/clients';
import { silentTelemetry, type Telemetry } from '../../telemetry/telemetry';

export type BudgetDecision = { ok: true } | { ok: false; resetsAt: Date };

export interface RequestBudget {
  /** Takes `count` requests from today's budget, or says when the budget resets (next UTC midnight). */
  tryConsume(count: number): Promise<BudgetDecision>;
}

export const QUOTA_TABLE = 'quota';
const MAX_CONFLICT_RETRIES = 50;

interface DayEntity {
  partitionKey: string;
  rowKey: string;
  used: number;
}

export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

export function nextUtcMidnight(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}

/**
 * The daily RollWorks request budget of this application (the quota is per client id, shared by all
 * connections and instances). One Table Storage row per UTC day, incremented with ETag checks so
 * concurrent instances never over-spend it.
 */
export function createRequestBudget(
  config: Pick<AppConfig, 'ROLLWORKS_DAILY_REQUEST_BUDGET' | 'ROLLWORKS_CLIENT_ID'>,
  storage: Pick<StorageClients, 'table'>,
  clock: Clock,
  telemetry: Telemetry = silentTelemetry,
): RequestBudget {
  const limit = config.ROLLWORKS_DAILY_REQUEST_BUDGET;
  const partitionKey = `rollworks-${config.ROLLWORKS_CLIENT_ID.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const table = (): TableClient => storage.table(QUOTA_TABLE);

  return {
    async tryConsume(count) {
      if (!Number.isInteger(count) || count < 1) throw new Error('tryConsume needs a positive integer');
      await ensureTable(table());
      for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
        const now = clock.now();
        const rowKey = utcDay(now);
        const resetsAt = nextUtcMidnight(now);
        const current = await readDay(table(), partitionKey, rowKey);
        const used = current?.entity.used ?? 0;
        if (used + count > limit) {
          telemetry.budgetUsed(used, limit);
          return { ok: false, resetsAt };
        }
        try {
          if (current) {
            await table().updateEntity<DayEntity>({ partitionKey, rowKey, used: used + count }, 'Replace', {
              etag: current.etag,
            });
          } else {
            await table().createEntity<DayEntity>({ partitionKey, rowKey, used: count });
          }
          telemetry.budgetUsed(used + count, limit);
          return { ok: true };
        } catch (error) {
          if (!isConflict(error)) throw error;
          // another instance won this round: back off a little (jittered) before reading again
          await new Promise((resolve) =>
            setTimeout(resolve, Math.random() * Math.min(200, 10 * (attempt + 1))),
          );
        }
      }
      throw new Error('request budget: too many concurrent updates');
    },
  };
}

async function readDay(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<{ entity: DayEntity; etag: string } | undefined> {
  try {
    const entity = await table.getEntity<DayEntity>(partitionKey, rowKey);
    return { entity: { partitionKey, rowKey, used: Number(entity.used) || 0 }, etag: entity.etag };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

const isConflict = (error: unknown): boolean => hasStatus(error, 409, 412);
