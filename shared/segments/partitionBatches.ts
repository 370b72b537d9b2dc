import type { ContainerClient } from '@azure/storage-blob';
import { CsvParser } from './csvParser';
import { JsonLinesParser, type JsonLine } from './jsonLinesParser';
import { partitionFailure, textChunks } from './partitionStream';
import type { PartitionBlob, SegmentLayout } from './segmentLayout';
import { SegmentSourceError, type FieldBatch } from './segmentSource';

/** Called with the fields at the start of a partition (header, CDM attributes, first JSON keys); may throw. */
export type FieldsHook = (blob: string, fields: string[]) => void;

/** Parses one partition's text chunks into field batches. */
interface PartitionReader {
  push(text: string): void;
  end(): void;
  /** The rows parsed since the last take. */
  take(): FieldBatch;
}

type OpenPartition = (partition: PartitionBlob) => PartitionReader;

/**
 * One field's values, a parsed chunk at a time, partitions in order (see `readField`). `field`
 * undefined reads any column, for counting rows.
 */
export async function* scanPartitions(
  container: ContainerClient,
  layout: SegmentLayout,
  field: string | undefined,
  onFields: FieldsHook,
  signal?: AbortSignal,
  alsoField?: string,
): AsyncGenerator<FieldBatch> {
  const open =
    layout.format === 'jsonl'
      ? jsonLines(field, alsoField, onFields)
      : field === undefined || alsoField === undefined
        ? csv(layout, field, onFields)
        : csvPair(layout, field, alsoField, onFields);
  for (const partition of layout.partitions) {
    signal?.throwIfAborted();
    const reader = open(partition);
    for await (const text of textChunks(container, partition, signal)) {
      parseOrFail(partition, () => reader.push(text));
      yield reader.take();
    }
    parseOrFail(partition, () => reader.end());
    const last = reader.take();
    if (last.rows.length > 0) yield last;
  }
}

function jsonLines(
  field: string | undefined,
  alsoField: string | undefined,
  onFields: FieldsHook,
): OpenPartition {
  let fieldsSeen = false;
  return (partition) => {
    const blob = partition.name;
    const parser = new JsonLinesParser();
    const take = () => fieldBatch(blob, alsoField !== undefined);
    let batch = take();
    const emit = (line: JsonLine) => {
      if ('error' in line) return addUnreadable(batch, line.line, line.error);
      if (!fieldsSeen) {
        fieldsSeen = true;
        onFields(blob, line.keys);
      }
      batch.rows.push(line.line);
      // A JSON object without the field reads as a blank value, like an empty CSV cell.
      batch.values.push(field === undefined ? '' : (line.fields[field] ?? ''));
      if (alsoField !== undefined) batch.also!.push(line.fields[alsoField] ?? '');
    };
    return {
      push: (text) => parser.push(text, emit),
      end: () => parser.end(emit),
      take() {
        const taken = batch;
        batch = take();
        return taken;
      },
    };
  };
}

/**
 * CSV (and CDM) partitions. Rows are not split into strings: the parser finds the field's column by
 * its delimiters. Values are slices of the chunk text, as `CsvParser` documents.
 */
function csv(layout: SegmentLayout, field: string | undefined, onFields: FieldsHook): OpenPartition {
  const attributes = layout.attributes;
  if (attributes) onFields(layout.partitions[0]?.name ?? '', attributes);
  return (partition) => {
    const blob = partition.name;
    const format = partition.csv ?? { delimiter: ',', hasHeader: true };
    let columns: string[] = attributes ?? [];
    const parser = new CsvParser({ delimiter: format.delimiter });
    let batch = fieldBatch(blob);
    const select = () =>
      parser.selectColumn(field === undefined ? 0 : Math.max(0, uniqueColumn(blob, columns, field)));
    if (!format.hasHeader) select();
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
      if (!attributes) {
        columns = headerColumns(blob, values);
        onFields(blob, columns);
      }
      select();
    };
    return {
      push: (text) => parser.push(text, onHeader, onValue),
      end: () => parser.end(onHeader, onValue),
      take() {
        const taken = batch;
        batch = fieldBatch(blob);
        return taken;
      },
    };
  };
}

/**
 * CSV (and CDM) partitions read for two fields: whole records (the one-column fast path does not
 * apply), each giving its value of both.
 */
function csvPair(
  layout: SegmentLayout,
  field: string,
  alsoField: string,
  onFields: FieldsHook,
): OpenPartition {
  const attributes = layout.attributes;
  if (attributes) onFields(layout.partitions[0]?.name ?? '', attributes);
  return (partition) => {
    const blob = partition.name;
    const format = partition.csv ?? { delimiter: ',', hasHeader: true };
    let columns: string[] = attributes ?? [];
    let at = { value: -1, also: -1 };
    const parser = new CsvParser({ delimiter: format.delimiter });
    let batch = fieldBatch(blob, true);
    const select = () => {
      at = { value: uniqueColumn(blob, columns, field), also: uniqueColumn(blob, columns, alsoField) };
    };
    if (!format.hasHeader) select();
    let headerSeen = !format.hasHeader;
    const onRecord = (fields: string[], row: number, error: string | undefined) => {
      if (!headerSeen) {
        headerSeen = true;
        if (!attributes) {
          columns = headerColumns(blob, fields);
          onFields(blob, columns);
        }
        return select();
      }
      if (error !== undefined) addUnreadable(batch, row, error);
      else if (fields.length !== columns.length) {
        addUnreadable(batch, row, `expected ${columns.length} fields, found ${fields.length}`);
      } else {
        batch.rows.push(row);
        batch.values.push(fields[at.value] ?? '');
        batch.also!.push(fields[at.also] ?? '');
      }
    };
    return {
      push: (text) => parser.push(text, onRecord),
      end: () => parser.end(onRecord),
      take() {
        const taken = batch;
        batch = fieldBatch(blob, true);
        return taken;
      },
    };
  };
}

function uniqueColumn(blob: string, columns: string[], field: string): number {
  if (columns.indexOf(field) !== columns.lastIndexOf(field)) throw ambiguous(blob, columns, field);
  return columns.indexOf(field);
}

/** Picking one of two same-named columns would export whichever the writer put last. */
const ambiguous = (blob: string, columns: string[], field: string) =>
  new SegmentSourceError(
    'FIELD_AMBIGUOUS',
    `Blob ${blob} has ${columns.filter((name) => name === field).length} columns named "${field}"; rename all but one.`,
  );

const fieldBatch = (blob: string, withAlso = false): FieldBatch => ({
  blob,
  rows: [],
  values: [],
  unreadable: [],
  ...(withAlso ? { also: [] } : {}),
});

function addUnreadable(batch: FieldBatch, row: number, reason: string): void {
  batch.unreadable.push({ index: batch.rows.length, reason });
  batch.rows.push(row);
  batch.values.push('');
  batch.also?.push('');
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
