import { hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { CsvParser } from '../shared/segments/csvParser';
import { normalizeEmail } from '../shared/worker/emailNormalizer';

export interface ReferenceResult {
  blobs: number;
  rows: number;
  valid: number;
  invalid: number;
  ms: number;
  /** Folded digest bytes, so the hashing cannot be optimised away and two passes can be compared. */
  checksum: number;
}

const PARTITION = /\/part-\d+\.csv(\.gz)?$/;

/**
 * The least work an export must do, as a yardstick for the worker: stream the segment's CSV
 * partitions from Blob Storage, gunzip, parse, normalize and validate each email, MD5 it. Nothing
 * else: no de-duplication, no sorting, no state, no RollWorks call. It uses the fastest primitives
 * the worker uses (the parser's single-column scan, one-shot `crypto.hash`), so the ratio measures
 * what the worker adds, not a handicap of the yardstick.
 */
export async function runReferencePipeline(
  container: ContainerClient,
  segment: string,
  emailField = 'Email',
): Promise<ReferenceResult> {
  const started = Date.now();
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${segment}/` })) {
    if (PARTITION.test(blob.name)) names.push(blob.name);
  }
  names.sort();
  const result: ReferenceResult = { blobs: names.length, rows: 0, valid: 0, invalid: 0, ms: 0, checksum: 0 };
  for (const name of names) {
    const download = await container.getBlobClient(name).download();
    let body = download.readableStreamBody as Readable | undefined;
    if (!body) throw new Error(`blob ${name} has no body`);
    if (name.endsWith('.gz')) body = body.pipe(createGunzip({ chunkSize: 64 * 1024 }));
    const decoder = new StringDecoder('utf8');
    const parser = new CsvParser();
    const onHeader = (fields: string[]) => {
      const emailIndex = fields.indexOf(emailField);
      if (emailIndex < 0) throw new Error(`${name} has no ${emailField} column`);
      parser.selectColumn(emailIndex);
    };
    const onEmail = (value: string | undefined) => {
      result.rows++;
      const email = normalizeEmail(value, 'md5');
      if (!email.ok) {
        result.invalid++;
        return;
      }
      result.valid++;
      const digest = email.isDigest ? email.value : hash('md5', email.value, 'hex');
      result.checksum = (result.checksum + digest.charCodeAt(0) + digest.charCodeAt(31)) % 1_000_000_007;
    };
    for await (const chunk of body) parser.push(decoder.write(chunk as Buffer), onHeader, onEmail);
    parser.push(decoder.end(), onHeader, onEmail);
    parser.end(onHeader, onEmail);
  }
  result.ms = Date.now() - started;
  return result;
}
