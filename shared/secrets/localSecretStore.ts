import { ensureTable, hasStatus } from '../storage/tables';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { SecretStore } from './secretStore';
import { assertSecretName } from './secretName';

export const LOCAL_SECRETS_TABLE = 'secrets';
const PARTITION = 'secret';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LocalSecretStoreOptions {
  /** Base64 of the 32-byte AES-256-GCM key. */
  key: string;
  /** Values returned for names never written (the local stack's client secret from its settings). */
  fallbacks?: Record<string, string | undefined>;
}

/**
 * The embedded stack's secret store: AES-256-GCM encrypted values in an Azurite table, a random IV per
 * write and the secret name as additional authenticated data (a value copied to another row fails).
 */
export function createLocalSecretStore(table: TableClient, options: LocalSecretStoreOptions): SecretStore {
  const key = Buffer.from(options.key, 'base64');
  if (key.length !== 32) {
    throw new Error('LOCAL_SECRET_KEY must be the base64 of exactly 32 bytes (an AES-256 key).');
  }
  const ready = () => ensureTable(table);

  return {
    async get(name) {
      assertSecretName(name);
      await ready();
      try {
        const entity = await table.getEntity<{ value: string }>(PARTITION, name);
        return decrypt(key, name, entity.value);
      } catch (error) {
        if (hasStatus(error, 404)) return options.fallbacks?.[name];
        throw error;
      }
    },
    async set(name, value) {
      assertSecretName(name);
      await ready();
      await table.upsertEntity(
        { partitionKey: PARTITION, rowKey: name, value: encrypt(key, name, value) },
        'Replace',
      );
    },
    async delete(name) {
      assertSecretName(name);
      await ready();
      try {
        await table.deleteEntity(PARTITION, name);
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
    },
  };
}

function encrypt(key: Buffer, name: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

function decrypt(key: Buffer, name: string, stored: string): string {
  const raw = Buffer.from(stored, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(name, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error(
      `Secret "${name}" cannot be decrypted: LOCAL_SECRET_KEY differs from the key it was written with.`,
    );
  }
}
