import { statusOf } from '../storage/tables';
import type { AppConfig } from '../config/config';
import type { StorageClients } from '../storage/clients';
import { silentLogger, type Logger } from '../logging/logger';
import { flattenBatches } from './batchedIterable';
import { CsvParser, detachString } from './csvParser';
import { rowBuilder } from './rowObjects';
import { JsonLinesParser, type JsonLine } from './jsonLinesParser';
import { partitionFailure, textChunks } from './partitionStream';
import { loadSegmentLayout, readFailed, type PartitionBlob, type SegmentLayout } from './segmentLayout';
import { createTableStatsCache, type SegmentStats, type SegmentStatsCache } from './segmentStatsCache';
import {
  SegmentSourceError,
  type FieldBatch,
  type SegmentInfo,
  type SegmentItem,
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

/** Called with the fields at the start of a partition (header, CDM attributes, first JSON keys); may throw. */
type FieldsHook = (blob: string, fields: string[]) => void;

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

  /**
   * Parses every partition in order, yielding the items of each text chunk. CSV values are slices of
   * the chunk text; `keptField` (the email field, which a reader may keep in a set) is copied so it
   * does not pin chunks in memory, and is '' in JSON objects that lack it.
   */
  async function* scan(
    layout: SegmentLayout,
    onFields: FieldsHook,
    signal?: AbortSignal,
    keptField?: string,
  ): AsyncGenerator<SegmentItem[]> {
    if (layout.format === 'jsonl') {
      let fieldsSeen = false;
      for (const partition of layout.partitions) {
        signal?.throwIfAborted();
        const blob = partition.name;
        const parser = new JsonLinesParser();
        let out: SegmentItem[] = [];
        const emit = (line: JsonLine) => {
          if ('error' in line) {
            out.push({ kind: 'invalid', blob, row: line.line, reason: line.error });
            return;
          }
          if (!fieldsSeen) {
            fieldsSeen = true;
            onFields(blob, line.keys);
          }
          // A JSON object without the required (email) field reads as a blank value, like an empty CSV cell.
          if (keptField !== undefined && line.fields[keptField] === undefined) line.fields[keptField] = '';
          out.push({ kind: 'record', blob, row: line.line, fields: line.fields });
        };
        for await (const text of textChunks(container(), partition, signal)) {
          parseOrFail(partition, () => parser.push(text, emit));
          yield out;
          out = [];
        }
        parseOrFail(partition, () => parser.end(emit));
        if (out.length > 0) yield out;
      }
      return;
    }
    const attributes = layout.attributes;
    if (attributes) onFields(layout.partitions[0]?.name ?? '', attributes);
    for (const partition of layout.partitions) {
      signal?.throwIfAborted();
      const blob = partition.name;
      const csv = partition.csv ?? { delimiter: ',', hasHeader: true };
      let columns: string[] = attributes ?? [];
      let build = rowBuilder(columns);
      let headerPending = csv.hasHeader;
      const parser = new CsvParser({ delimiter: csv.delimiter });
      let out: SegmentItem[] = [];
      const emit = (values: string[], row: number, error: string | undefined) => {
        if (headerPending) {
          headerPending = false;
          if (!attributes) {
            columns = headerColumns(blob, values);
            build = rowBuilder(columns);
            onFields(blob, columns);
          }
        } else if (error !== undefined) {
          out.push({ kind: 'invalid', blob, row, reason: error });
        } else if (values.length !== columns.length) {
          out.push({
            kind: 'invalid',
            blob,
            row,
            reason: `expected ${columns.length} fields, found ${values.length}`,
          });
        } else {
          const fields = build(values);
          if (keptField !== undefined && fields[keptField] !== undefined) {
            fields[keptField] = detachString(fields[keptField]);
          }
          out.push({ kind: 'record', blob, row, fields });
        }
      };
      for await (const text of textChunks(container(), partition, signal)) {
        parseOrFail(partition, () => parser.push(text, emit));
        yield out;
        out = [];
      }
      parseOrFail(partition, () => parser.end(emit));
      if (out.length > 0) yield out;
    }
  }

  /**
   * One field's values, a parsed chunk at a time (see `readField`). CSV rows are not split into
   * strings: the parser finds the field's column by its delimiters. Values are slices of the chunk
   * text, as `CsvParser` documents.
   */
  async function* scanField(
    layout: SegmentLayout,
    field: string,
    onFields: FieldsHook,
    signal?: AbortSignal,
  ): AsyncGenerator<FieldBatch> {
    if (layout.format === 'jsonl') {
      let fieldsSeen = false;
      for (const partition of layout.partitions) {
        signal?.throwIfAborted();
        const blob = partition.name;
        const parser = new JsonLinesParser();
        let batch = fieldBatch(blob);
        const emit = (line: JsonLine) => {
          if ('error' in line) return addUnreadable(batch, line.line, line.error);
          if (!fieldsSeen) {
            fieldsSeen = true;
            onFields(blob, line.keys);
          }
          batch.rows.push(line.line);
          batch.values.push(line.fields[field] ?? '');
        };
        for await (const text of textChunks(container(), partition, signal)) {
          parseOrFail(partition, () => parser.push(text, emit));
          yield batch;
          batch = fieldBatch(blob);
        }
        parseOrFail(partition, () => parser.end(emit));
        if (batch.rows.length > 0) yield batch;
      }
      return;
    }
    const attributes = layout.attributes;
    if (attributes) onFields(layout.partitions[0]?.name ?? '', attributes);
    for (const partition of layout.partitions) {
      signal?.throwIfAborted();
      const blob = partition.name;
      const csv = partition.csv ?? { delimiter: ',', hasHeader: true };
      let columns: string[] = attributes ?? [];
      let headerPending = csv.hasHeader;
      const parser = new CsvParser({ delimiter: csv.delimiter });
      let batch = fieldBatch(blob);
      // A row's object keeps the last of repeated column names (see rowBuilder), so does this.
      const select = () => parser.selectColumn(Math.max(0, columns.lastIndexOf(field)));
      if (!headerPending) select();
      const onValue = (
        value: string | undefined,
        fieldCount: number,
        row: number,
        error: string | undefined,
      ) => {
        if (error !== undefined) addUnreadable(batch, row, error);
        else if (fieldCount !== columns.length) {
          addUnreadable(batch, row, `expected ${columns.length} fields, found ${fieldCount}`);
        } else {
          batch.rows.push(row);
          batch.values.push(value ?? '');
        }
      };
      const onHeader = (values: string[]) => {
        // Only the header reaches here: the column is selected right after it.
        headerPending = false;
        if (!attributes) {
          columns = headerColumns(blob, values);
          onFields(blob, columns);
        }
        select();
      };
      for await (const text of textChunks(container(), partition, signal)) {
        parseOrFail(partition, () => parser.push(text, onHeader, onValue));
        yield batch;
        batch = fieldBatch(blob);
      }
      parseOrFail(partition, () => parser.end(onHeader, onValue));
      if (batch.rows.length > 0) yield batch;
    }
  }

  /** The layout of a segment to read, and the hook that checks `requiredField` is among its fields. */
  async function openForRead(name: string, requiredField: string | undefined) {
    const layout = await loadSegmentLayout(container(), name);
    if (!layout.format || layout.partitions.length === 0) throw emptySegment(layout);
    const checkFields: FieldsHook = (blob, found) => {
      const fields = layout.format === 'jsonl' ? union(found, layout.manifest?.fields ?? []) : found;
      if (requiredField !== undefined && !fields.includes(requiredField)) {
        throw missingField(name, requiredField, fields, layout.format === 'csv' ? blob : undefined);
      }
    };
    return { layout, checkFields };
  }

  async function* readBatches(
    name: string,
    readOptions: { signal?: AbortSignal; requiredField?: string },
  ): AsyncGenerator<SegmentItem[]> {
    const { signal, requiredField } = readOptions;
    const { layout, checkFields } = await openForRead(name, requiredField);
    let items = 0;
    for await (const batch of scan(layout, checkFields, signal, requiredField)) {
      if (batch.length === 0) continue;
      items += batch.length;
      yield batch;
    }
    if (items === 0) throw emptySegment(layout);
  }

  async function* fieldBatches(
    name: string,
    field: string,
    readOptions: { signal?: AbortSignal },
  ): AsyncGenerator<FieldBatch> {
    const { layout, checkFields } = await openForRead(name, field);
    let rows = 0;
    for await (const batch of scanField(layout, field, checkFields, readOptions.signal)) {
      if (batch.rows.length === 0) continue;
      rows += batch.rows.length;
      yield batch;
    }
    if (rows === 0) throw emptySegment(layout);
  }

  function countRows(layout: SegmentLayout): Promise<SegmentStats> {
    const key = `${layout.name}\n${layout.contentKey}`;
    let counting = countsInFlight.get(key);
    if (!counting) {
      counting = (async () => {
        let rowCount = 0;
        let fields: string[] | null = null;
        const keepFirst: FieldsHook = (_blob, found) => void (fields ??= found);
        for await (const batch of scan(layout, keepFirst)) rowCount += batch.length;
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
    const batches = scan(layout, keepFirst);
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
    read(name, readOptions = {}) {
      return flattenBatches(readBatches(name, readOptions));
    },
    readField(name, field, readOptions = {}) {
      return fieldBatches(name, field, readOptions);
    },
  };
}

const fieldBatch = (blob: string): FieldBatch => ({ blob, rows: [], values: [], unreadable: [] });

function addUnreadable(batch: FieldBatch, row: number, reason: string): void {
  batch.unreadable.push({ index: batch.rows.length, reason });
  batch.rows.push(row);
  batch.values.push('');
}

/**
 * Field names from a CSV header row. A first line holding an email address is data, not a header:
 * refused without quoting it, so the address never becomes a field name in the API or an error.
 */
function headerColumns(blob: string, values: string[]): string[] {
  const columns = values.map((name) => name.trim());
  if (columns.some((name) => name.includes('@'))) {
    throw new SegmentSourceError(
      'SEGMENT_FORMAT_UNSUPPORTED',
      `Blob ${blob} has no header row: its first line holds data (an email address) instead of field names.`,
    );
  }
  return columns;
}

function parseOrFail(partition: PartitionBlob, parse: () => void): void {
  try {
    parse();
  } catch (error) {
    throw partitionFailure(partition, error);
  }
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

function missingField(segment: string, field: string, fields: string[], blob?: string): SegmentSourceError {
  const nearly = fields.find((candidate) => candidate.trim().toLowerCase() === field.trim().toLowerCase());
  return new SegmentSourceError(
    'EMAIL_FIELD_MISSING',
    `Segment '${segment}' has no field '${field}'${blob ? ` (in ${blob})` : ''}` +
      `${nearly !== undefined ? `; did you mean '${nearly}'?` : ''}. Its fields: ${fields.join(', ') || '(none)'}.`,
  );
}
