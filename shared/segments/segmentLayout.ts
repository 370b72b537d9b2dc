import { statusOf } from '../storage/tables';
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { parseCdmModel } from './cdmModel';
import { SegmentSourceError } from './segmentSource';

export type SegmentFormat = 'csv' | 'jsonl' | 'cdm';

export interface PartitionBlob {
  /** Full blob name in the segments container, e.g. `vip-customers/part-00000.csv.gz`. */
  name: string;
  etag: string;
  lastModified: Date;
  gzip: boolean;
  /** CSV partitions only. */
  csv?: { delimiter: string; hasHeader: boolean };
}

export interface SegmentManifest {
  rowCount: number | null;
  fields: string[];
  generatedAt: string | null;
}

/** What a segment folder holds, from one listing (plus model.json and manifest.json when present). */
export interface SegmentLayout {
  name: string;
  /** null when the folder holds no data partitions. */
  format: SegmentFormat | null;
  partitions: PartitionBlob[];
  manifest: SegmentManifest | null;
  /** CDM: the entity's attribute names (the partitions have no header). */
  attributes: string[] | null;
  /** Changes whenever a partition (or model.json) changes: the key of cached counts. */
  contentKey: string;
  lastModified: Date | null;
  /**
   * The latest the newest write of any blob in the folder (partitions, model.json, manifest, markers)
   * can have been: Last-Modified has whole seconds, so the end of that second.
   */
  lastWrite: Date | null;
}

interface ListedBlob {
  name: string;
  etag: string;
  lastModified: Date;
  size: number;
}

const MAX_JSON_BYTES = 8 * 1024 * 1024;

/** The data kind of a blob name (after `.gz`), or why it is ignored. */
export function classifyBlob(relativeName: string): {
  kind: 'csv' | 'jsonl' | 'model' | 'manifest' | 'ignored';
  gzip: boolean;
} {
  const base = relativeName.slice(relativeName.lastIndexOf('/') + 1);
  if (base.startsWith('_') || base.startsWith('.')) return { kind: 'ignored', gzip: false };
  const gzip = /\.gz$/i.test(base);
  const plain = (gzip ? base.slice(0, -3) : base).toLowerCase();
  if (relativeName === 'model.json') return { kind: 'model', gzip: false };
  if (relativeName === 'manifest.json') return { kind: 'manifest', gzip: false };
  if (plain.endsWith('.csv')) return { kind: 'csv', gzip };
  if (plain.endsWith('.jsonl') || plain.endsWith('.ndjson')) return { kind: 'jsonl', gzip };
  return { kind: 'ignored', gzip: false };
}

export function validateSegmentName(name: string): void {
  if (name.trim() === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
    throw new SegmentSourceError('SEGMENT_NOT_FOUND', `'${name}' is not a segment folder name.`);
  }
}

/** Lists a segment folder and works out its format and partitions in read order. */
export async function loadSegmentLayout(container: ContainerClient, name: string): Promise<SegmentLayout> {
  validateSegmentName(name);
  const prefix = `${name}/`;
  const blobs: ListedBlob[] = [];
  try {
    for await (const item of container.listBlobsFlat({ prefix })) {
      blobs.push({
        name: item.name,
        etag: item.properties.etag ?? '',
        lastModified: item.properties.lastModified,
        size: item.properties.contentLength ?? 0,
      });
    }
  } catch (error) {
    if (statusOf(error) === 404) blobs.length = 0;
    else throw readFailed(`Segment '${name}': listing the folder failed`, error);
  }
  if (blobs.length === 0) {
    throw new SegmentSourceError(
      'SEGMENT_NOT_FOUND',
      `Segment '${name}' was not found: there is no folder '${name}/' in container '${container.containerName}'.`,
    );
  }
  blobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const byKind = { csv: [] as PartitionBlob[], jsonl: [] as PartitionBlob[] };
  let model: ListedBlob | undefined;
  let manifestBlob: ListedBlob | undefined;
  for (const blob of blobs) {
    const { kind, gzip } = classifyBlob(blob.name.slice(prefix.length));
    if (kind === 'csv' || kind === 'jsonl') {
      byKind[kind].push({ name: blob.name, etag: blob.etag, lastModified: blob.lastModified, gzip });
    } else if (kind === 'model') model = blob;
    else if (kind === 'manifest') manifestBlob = blob;
  }

  const manifest = manifestBlob ? parseManifest(await downloadText(container, manifestBlob, name)) : null;

  let format: SegmentFormat | null = null;
  let partitions: PartitionBlob[] = [];
  let attributes: string[] | null = null;
  const keyParts: string[] = [];
  if (model) {
    if (byKind.jsonl.length > 0) throw mixed(name, ['a CDM model.json', 'JSON Lines files']);
    const cdm = parseCdmModel(await downloadText(container, model, name), {
      segment: name,
      container: container.containerName,
      modelBlobName: model.name,
    });
    format = 'cdm';
    attributes = cdm.attributes;
    keyParts.push(`${model.name}\n${model.etag}`);
    const listed = new Map(blobs.map((blob) => [blob.name, blob]));
    for (const partition of cdm.partitions) {
      const blob = listed.get(partition.blobName) ?? (await blobProperties(container, partition.blobName));
      if (!blob) {
        throw new SegmentSourceError(
          'MODEL_JSON_INVALID',
          `Segment '${name}': model.json names partition '${partition.location}', but blob '${partition.blobName}' does not exist.`,
        );
      }
      partitions.push({
        name: blob.name,
        etag: blob.etag,
        lastModified: blob.lastModified,
        gzip: /\.gz$/i.test(blob.name),
        csv: { delimiter: partition.delimiter, hasHeader: partition.hasHeader },
      });
    }
  } else if (byKind.csv.length > 0 && byKind.jsonl.length > 0) {
    throw mixed(name, ['CSV files', 'JSON Lines files']);
  } else if (byKind.csv.length > 0) {
    format = 'csv';
    partitions = byKind.csv.map((blob) => ({ ...blob, csv: { delimiter: ',', hasHeader: true } }));
  } else if (byKind.jsonl.length > 0) {
    format = 'jsonl';
    partitions = byKind.jsonl;
  }
  for (const partition of partitions) keyParts.push(`${partition.name}\n${partition.etag}`);
  const lastModified = partitions.reduce<Date | null>(
    (newest, partition) => (!newest || partition.lastModified > newest ? partition.lastModified : newest),
    null,
  );
  return {
    name,
    format,
    partitions,
    manifest,
    attributes,
    contentKey: createHash('sha256').update(keyParts.join('\n')).digest('base64url'),
    lastModified,
    lastWrite: latestWrite(blobs),
  };
}

function latestWrite(blobs: { lastModified: Date }[]): Date | null {
  let newest: number | null = null;
  for (const blob of blobs) newest = Math.max(newest ?? 0, blob.lastModified.getTime());
  return newest === null ? null : new Date(newest + 999);
}

/** A manifest that is not the documented shape is ignored (sizes are then counted). */
export function parseManifest(text: string): SegmentManifest | null {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const rowCount =
    typeof record.rowCount === 'number' && Number.isInteger(record.rowCount) && record.rowCount >= 0
      ? record.rowCount
      : null;
  const fields = Array.isArray(record.fields)
    ? record.fields.filter((field): field is string => typeof field === 'string')
    : [];
  const generatedAt = typeof record.generatedAt === 'string' ? record.generatedAt : null;
  return { rowCount, fields, generatedAt };
}

async function downloadText(container: ContainerClient, blob: ListedBlob, segment: string): Promise<string> {
  if (blob.size > MAX_JSON_BYTES) {
    throw new SegmentSourceError(
      blob.name.endsWith('model.json') ? 'MODEL_JSON_INVALID' : 'SEGMENT_READ_FAILED',
      `Segment '${segment}': ${blob.name} is larger than ${MAX_JSON_BYTES} bytes.`,
    );
  }
  try {
    const buffer = await container.getBlobClient(blob.name).downloadToBuffer();
    return buffer.toString('utf8');
  } catch (error) {
    throw readFailed(`Segment '${segment}': reading ${blob.name} failed`, error);
  }
}

async function blobProperties(container: ContainerClient, name: string): Promise<ListedBlob | undefined> {
  try {
    const properties = await container.getBlobClient(name).getProperties();
    return {
      name,
      etag: properties.etag ?? '',
      lastModified: properties.lastModified ?? new Date(0),
      size: properties.contentLength ?? 0,
    };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw readFailed(`Reading the properties of ${name} failed`, error);
  }
}

function mixed(name: string, kinds: string[]): SegmentSourceError {
  return new SegmentSourceError(
    'SEGMENT_FORMAT_UNSUPPORTED',
    `Segment '${name}' mixes ${kinds.join(' and ')}; a segment folder must hold one format only.`,
  );
}

export function readFailed(context: string, error: unknown): SegmentSourceError {
  const status = statusOf(error);
  if (status === 412)
    return changedDuringRead(`${context}: the blob changed while it was being read.`, error);
  const detail =
    status !== undefined
      ? `storage answered ${status}`
      : error instanceof Error
        ? error.message
        : 'unknown error';
  const wrapped = new SegmentSourceError('SEGMENT_READ_FAILED', `${context}: ${detail}.`);
  (wrapped as { cause?: unknown }).cause = error;
  return wrapped;
}

/** The folder is being written while it is read: read it again once it is quiet, never a mix. */
export function changedDuringRead(message: string, cause?: unknown): SegmentSourceError {
  const error = new SegmentSourceError('SEGMENT_CHANGED_DURING_READ', message);
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}
