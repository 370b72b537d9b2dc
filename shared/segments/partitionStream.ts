import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { pipeline, type Readable } from 'node:stream';
import type { ContainerClient } from '@azure/storage-blob';
import { statusOf } from '../storage/tables';
import { changedDuringRead, readFailed, type PartitionBlob } from './segmentLayout';
import { SegmentSourceError } from './segmentSource';

/**
 * Streams one partition blob (gunzipped when `.gz`) as UTF-8 text chunks. The next chunk is only
 * pulled when the consumer asks for more (back-pressure all the way to the HTTP download); leaving
 * early destroys the download. The blob must still have the ETag it was listed with, so a
 * partition rewritten mid-run fails (SEGMENT_CHANGED_DURING_READ) instead of mixing two versions.
 */
export async function* textChunks(
  container: ContainerClient,
  partition: PartitionBlob,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  let body: Readable;
  try {
    const response = await container.getBlobClient(partition.name).download(0, undefined, {
      abortSignal: signal,
      conditions: partition.etag ? { ifMatch: partition.etag } : undefined,
      maxRetryRequests: 5,
    });
    body = response.readableStreamBody as Readable;
  } catch (error) {
    throw partitionFailure(partition, error, signal);
  }
  let stream: Readable = body;
  if (partition.gzip) {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    stream = pipeline(body, gunzip, () => undefined);
  }
  try {
    const decoder = new StringDecoder('utf8');
    for await (const chunk of stream) {
      const text = decoder.write(chunk as Buffer);
      if (text.length > 0) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } catch (error) {
    throw partitionFailure(partition, error, signal);
  } finally {
    body.destroy();
    stream.destroy();
  }
}

/** The error to surface for a failure while reading or parsing a partition. */
export function partitionFailure(partition: PartitionBlob, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof SegmentSourceError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new SegmentSourceError(
      'SEGMENT_DATA_INVALID',
      `Blob ${partition.name} is not valid gzip data (damaged or cut short); write it again.`,
    );
  }
  if (
    error instanceof Error &&
    (error.name === 'CsvFieldTooLongError' || /longer than/.test(error.message))
  ) {
    return new SegmentSourceError('SEGMENT_DATA_INVALID', `Blob ${partition.name}: ${error.message}.`);
  }
  // Listed moments ago and gone now: deleted by the writer, like a rewrite (412) mid-read.
  if (statusOf(error) === 404) {
    return changedDuringRead(`Blob ${partition.name} was deleted while the segment was being read.`, error);
  }
  return readFailed(`Reading blob ${partition.name} failed`, error);
}
