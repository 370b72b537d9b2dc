import { statusOf } from '../storage/tables';
import type { AppConfig } from '../config/config';
import type { StorageClients } from '../storage/clients';
import { silentLogger, type Logger } from '../logging/logger';
import { scanPartitions, type FieldsHook } from './partitionBatches';
import { changedDuringRead, loadSegmentLayout, readFailed, type SegmentLayout } from './segmentLayout';
import { createTableStatsCache, type SegmentStats, type SegmentStatsCache } from './segmentStatsCache';
import {
  SegmentSourceError,
  type FieldBatch,
  type ReadFieldOptions,
  type SegmentInfo,
  type SegmentSource,
} from './segmentSource';

export interface SegmentSourceOptions {
  logger?: Logger;
  /** App-storage table holding counted sizes and fields by ETags (default `SegmentStats`). */
  statsTable?: string;
  /** Replaces the table cache (tests). */
  statsCache?: SegmentStatsCache;
  /** Segments described at once by `list()`. */
  listConcurrency?: number;
}

/**
 * The segment source over Blob Storage: one folder per segment in `SEGMENTS_CONTAINER`, holding
 * CSV, JSON Lines or a CDM folder (model.json + headerless CSV partitions), each partition
 * optionally gzip-compressed, plus an optional manifest.json.
 */
export function createSegmentSource(
  _config: AppConfig,
  storage: StorageClients,
  options: SegmentSourceOptions = {},
): SegmentSource {
  const logger = options.logger ?? silentLogger;
  const container = () => storage.segmentsContainer();
  const cache =
    options.statsCache ??
    createTableStatsCache(() => storage.table(options.statsTable ?? 'SegmentStats'), logger);
  const countsInFlight = new Map<string, Promise<SegmentStats>>();

  /** The layout of a segment to read, and the hook that checks `requiredField` is among its fields. */
  async function openForRead(name: string, requiredField: string, alsoField: string | undefined) {
    const layout = await loadSegmentLayout(container(), name);
    if (!layout.format || layout.partitions.length === 0) throw emptySegment(layout);
    const checkFields: FieldsHook = (blob, found) => {
      const fields = layout.format === 'jsonl' ? union(found, layout.manifest?.fields ?? []) : found;
      const inBlob = layout.format === 'csv' ? blob : undefined;
      if (!fields.includes(requiredField)) throw missingField(name, requiredField, fields, inBlob);
      if (alsoField !== undefined && !fields.includes(alsoField)) {
        throw missingField(name, alsoField, fields, inBlob, 'CONSENT_FIELD_MISSING');
      }
    };
    return { layout, checkFields };
  }

  async function* fieldBatches(
    name: string,
    field: string,
    readOptions: ReadFieldOptions,
  ): AsyncGenerator<FieldBatch> {
    const { alsoField, signal } = readOptions;
    const { layout, checkFields } = await openForRead(name, field, alsoField);
    let rows = 0;
    for await (const batch of scanPartitions(container(), layout, field, checkFields, signal, alsoField)) {
      if (batch.rows.length === 0) continue;
      rows += batch.rows.length;
      yield batch;
    }
    await assertUnchanged(layout);
    if (rows === 0) throw emptySegment(layout);
  }

  /** A partition added, removed or rewritten after its turn would make the read a mix of versions. */
  async function assertUnchanged(read: SegmentLayout): Promise<void> {
    let now: SegmentLayout;
    try {
      now = await loadSegmentLayout(container(), read.name);
    } catch (error) {
      if (!(error instanceof SegmentSourceError) || error.code === 'SEGMENT_READ_FAILED') throw error;
      throw changedDuringRead(`Segment '${read.name}' changed while it was being read (${error.code}).`);
    }
    if (now.contentKey !== read.contentKey) {
      throw changedDuringRead(
        `Segment '${read.name}' changed while it was being read: its folder now lists ${now.partitions.length} partition(s) other than the ${read.partitions.length} read.`,
      );
    }
  }

  function countRows(layout: SegmentLayout): Promise<SegmentStats> {
    const key = `${layout.name}\n${layout.contentKey}`;
    let counting = countsInFlight.get(key);
    if (!counting) {
      counting = (async () => {
        let rowCount = 0;
        let fields: string[] | null = null;
        const keepFirst: FieldsHook = (_blob, found) => void (fields ??= found);
        for await (const batch of scanPartitions(container(), layout, undefined, keepFirst))
          rowCount += batch.rows.length;
        const stats = { rowCount, fields: fields ?? [] };
        await cache.set(layout.name, layout.contentKey, stats);
        logger.info('segment rows counted', { segment: layout.name, rowCount });
        return stats;
      })().finally(() => countsInFlight.delete(key));
      countsInFlight.set(key, counting);
    }
    return counting;
  }

  async function readFields(layout: SegmentLayout): Promise<string[]> {
    let fields: string[] | null = null;
    const keepFirst: FieldsHook = (_blob, found) => void (fields ??= found);
    const batches = scanPartitions(container(), layout, undefined, keepFirst);
    try {
      while (fields === null && !(await batches.next()).done) {
        // Reads until the first header or JSON object.
      }
    } finally {
      await batches.return(undefined);
    }
    if (fields !== null) await cache.set(layout.name, layout.contentKey, { rowCount: null, fields });
    return fields ?? [];
  }

  async function describeLayout(layout: SegmentLayout, count: boolean): Promise<SegmentInfo> {
    const info = {
      name: layout.name,
      lastModified: layout.lastModified ? layout.lastModified.toISOString() : null,
      format: layout.format,
    };
    const manifestFields = layout.manifest?.fields ?? [];
    if (!layout.format) return { ...info, rowCount: 0, fields: manifestFields };
    const cached = await cache.get(layout.name, layout.contentKey);
    let rowCount = layout.manifest?.rowCount ?? cached?.rowCount ?? null;
    let fields = layout.attributes ?? cached?.fields;
    if (rowCount === null && count) {
      const stats = await countRows(layout);
      rowCount = stats.rowCount;
      fields ??= stats.fields;
    }
    fields ??= await readFields(layout);
    if (layout.format === 'jsonl') fields = union(fields, manifestFields);
    return { ...info, rowCount, fields };
  }

  async function list(listOptions: { count?: boolean } = {}): Promise<SegmentInfo[]> {
    const names: string[] = [];
    try {
      for await (const item of container().listBlobsByHierarchy('/')) {
        if (item.kind === 'prefix') names.push(item.name.replace(/\/$/, ''));
      }
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw readFailed('Listing the segments container failed', error);
    }
    names.sort();
    const results: SegmentInfo[] = new Array(names.length);
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const index = next++;
        const name = names[index];
        try {
          results[index] = await describeLayout(
            await loadSegmentLayout(container(), name),
            listOptions.count ?? false,
          );
        } catch (error) {
          if (!(error instanceof SegmentSourceError)) throw error;
          logger.warn('segment cannot be described', { segment: name, code: error.code });
          results[index] = {
            name,
            rowCount: null,
            fields: [],
            lastModified: null,
            error: { code: error.code, message: error.message },
          };
        }
      }
    };
    const concurrency = Math.max(1, Math.min(options.listConcurrency ?? 4, names.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return results;
  }

  return {
    list,
    async describe(name, describeOptions = {}) {
      return describeLayout(await loadSegmentLayout(container(), name), describeOptions.count ?? false);
    },
    readField(name, field, readOptions = {}) {
      return fieldBatches(name, field, readOptions);
    },
    async version(name) {
      const layout = await loadSegmentLayout(container(), name);
      const generatedAt = layout.manifest?.generatedAt;
      return {
        key: generatedAt ? `manifest:${generatedAt}` : `etags:${layout.contentKey}`,
        lastWrite: layout.lastWrite,
      };
    },
  };
}

function union(first: string[], second: string[]): string[] {
  if (second.length === 0) return first;
  const seen = new Set(first);
  return [...first, ...second.filter((field) => !seen.has(field))];
}

function emptySegment(layout: SegmentLayout): SegmentSourceError {
  const detail =
    layout.partitions.length === 0
      ? 'its folder holds no CSV, JSON Lines or CDM partition'
      : `its ${layout.partitions.length} partition(s) hold no rows`;
  return new SegmentSourceError('SEGMENT_EMPTY', `Segment '${layout.name}' is empty: ${detail}.`);
}

function missingField(
  segment: string,
  field: string,
  fields: string[],
  blob?: string,
  code: 'EMAIL_FIELD_MISSING' | 'CONSENT_FIELD_MISSING' = 'EMAIL_FIELD_MISSING',
): SegmentSourceError {
  const nearly = fields.find((candidate) => candidate.trim().toLowerCase() === field.trim().toLowerCase());
  return new SegmentSourceError(
    code,
    `Segment '${segment}' has no field '${field}'${blob ? ` (in ${blob})` : ''}` +
      `${nearly !== undefined ? `; did you mean '${nearly}'?` : ''}. Its fields: ${fields.join(', ') || '(none)'}.`,
  );
}
