import { gzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';
import { loadConfig, type AppConfig } from '../../shared/config/config';
import { createStorageClients, type StorageClients } from '../../shared/storage/clients';
import type { SegmentItem, SegmentSource } from '../../shared/segments/segmentSource';

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

export async function readAll(
  source: SegmentSource,
  name: string,
  options: { requiredField?: string; signal?: AbortSignal } = {},
): Promise<SegmentItem[]> {
  const items: SegmentItem[] = [];
  for await (const item of source.read(name, options)) items.push(item);
  return items;
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
