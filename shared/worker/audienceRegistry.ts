import type { TableClient } from '@azure/data-tables';
import { ensuredTable, statusOf, tableKey } from '../storage/tables';

export const AUDIENCES_TABLE = 'audiences';

/** The RollWorks audience of one (export, segment); `audienceId` empty while a create is in flight. */
export interface AudienceRecord {
  audienceId: string;
  name: string;
  /** Set before a create is sent: a later attempt must look the audience up by name first. */
  createStartedAt: string | null;
}

interface AudienceEntity {
  partitionKey: string;
  rowKey: string;
  exportId: string;
  segment: string;
  audienceId: string;
  name: string;
  createStartedAt: string;
}

/** Table `audiences`, keyed by export (partition) and segment (row). */
export function createAudienceRegistry(table: () => TableClient) {
  const client = ensuredTable(table);
  const keys = (exportId: string, segment: string) => ({
    partitionKey: tableKey(exportId),
    rowKey: tableKey(segment),
  });
  const upsert = async (exportId: string, segment: string, record: AudienceRecord) => {
    const entity: AudienceEntity = {
      ...keys(exportId, segment),
      exportId,
      segment,
      audienceId: record.audienceId,
      name: record.name,
      createStartedAt: record.createStartedAt ?? '',
    };
    await (await client()).upsertEntity(entity, 'Replace');
  };

  return {
    async get(exportId: string, segment: string): Promise<AudienceRecord | undefined> {
      const { partitionKey, rowKey } = keys(exportId, segment);
      try {
        const entity = await (await client()).getEntity<AudienceEntity>(partitionKey, rowKey);
        return {
          audienceId: entity.audienceId ?? '',
          name: entity.name ?? '',
          createStartedAt: entity.createStartedAt || null,
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    markCreateStarted: (exportId: string, segment: string, name: string, at: Date) =>
      upsert(exportId, segment, { audienceId: '', name, createStartedAt: at.toISOString() }),
    recordAudience: (exportId: string, segment: string, audienceId: string, name: string) =>
      upsert(exportId, segment, { audienceId, name, createStartedAt: null }),
    forget: async (exportId: string, segment: string) => {
      const { partitionKey, rowKey } = keys(exportId, segment);
      await (await client()).deleteEntity(partitionKey, rowKey).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    },
  };
}

export type AudienceRegistry = ReturnType<typeof createAudienceRegistry>;
