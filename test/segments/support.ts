import { gzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';
import { loadConfig, type AppConfig } from '../../shared/config/config';
import { createStorageClients, type StorageClients } from '../../shared/storage/clients';
import type { SegmentSource } from '../../shared/segments/segmentSource';

export interface SegmentTestEnv {
  azurite: AzuriteInstance;
  config: AppConfig;
  storage: StorageClients;
  container: ContainerClient;
}

/** A private Azurite (tests list the whole container) and the app's storage clients on it. */
export async function startSegmentTestEnv(): Promise<SegmentTestEnv> {
  const azurite = await startAzurite();
  const config = loadConfig({
    AzureWebJobsStorage: azurite.connectionString,
    ROLLWORKS_CLIENT_ID: 'client-1',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:1/jwks.json',
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
  });
  const storage = createStorageClients(config);
  const container = storage.segmentsContainer();
  await container.createIfNotExists();
  return { azurite, config, storage, container };
}

/** Writes a blob; `.gz` names are gzip-compressed. */
export async function putBlob(container: ContainerClient, name: string, content: string): Promise<void> {
  const body = name.endsWith('.gz') ? gzipSync(Buffer.from(content, 'utf8')) : Buffer.from(content, 'utf8');
  await container.getBlockBlobClient(name).upload(body, body.length);
}

/** One row as the tests compare them: the listed fields' values, or why the row could not be read. */
export type Row =
  | { kind: 'record'; blob: string; row: number; fields: Record<string, string> }
  | { kind: 'invalid'; blob: string; row: number; reason: string };

/**
 * Every row of a segment with the values of `fields`, through `readField` once per field; every
 * field must yield the same rows (blob, line, unreadable or not).
 */
export async function readRows(
  source: SegmentSource,
  name: string,
  fields: string[],
  options: { signal?: AbortSignal } = {},
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [f, field] of fields.entries()) {
    let i = 0;
    for await (const batch of source.readField(name, field, options)) {
      const reasons = new Map(batch.unreadable.map((problem) => [problem.index, problem.reason]));
      batch.rows.forEach((row, b) => {
        const reason = reasons.get(b);
        const read: Row =
          reason === undefined
            ? { kind: 'record', blob: batch.blob, row, fields: { [field]: batch.values[b] } }
            : { kind: 'invalid', blob: batch.blob, row, reason };
        if (f === 0) rows.push(read);
        else {
          const seen = rows[i];
          if (seen?.blob !== read.blob || seen.row !== read.row || seen.kind !== read.kind) {
            throw new Error(`field ${field} yields another row than ${fields[0]} at ${i}`);
          }
          if (seen.kind === 'record' && read.kind === 'record') seen.fields[field] = read.fields[field];
        }
        i += 1;
      });
    }
    if (i !== rows.length) throw new Error(`field ${field} yields ${i} rows, ${fields[0]} ${rows.length}`);
  }
  return rows;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
