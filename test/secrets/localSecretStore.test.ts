import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';
import { loadConfig } from '../../shared/config/config';
import { createStorageClients } from '../../shared/storage/clients';
import { createSecretStore } from '../../shared/secrets/createSecretStore';
import { createLocalSecretStore, LOCAL_SECRETS_TABLE } from '../../shared/secrets/localSecretStore';
import { CLIENT_SECRET_NAME } from '../../shared/secrets/secretStore';
import { readClientSecret } from '../../shared/secrets/clientSecret';

let azurite: AzuriteInstance;
const key = randomBytes(32).toString('base64');

const config = (extra: Record<string, string> = {}) =>
  loadConfig({
    AzureWebJobsStorage: azurite.connectionString,
    ROLLWORKS_CLIENT_ID: 'client-1',
    ROLLWORKS_CLIENT_SECRET: 'client-secret-from-settings',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: key,
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:1/jwks',
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    ...extra,
  });
const table = () =>
  TableClient.fromConnectionString(azurite.connectionString, LOCAL_SECRETS_TABLE, {
    allowInsecureConnection: true,
  });

beforeAll(async () => {
  azurite = await startAzurite({ blob: 0, queue: 0, table: 0 }, 90_000);
}, 120_000);
afterAll(async () => {
  await azurite?.stop();
});

describe('local secret store', () => {
  it('round-trips values, encrypted at rest with a fresh IV per write', async () => {
    const cfg = config();
    const store = createSecretStore(cfg, createStorageClients(cfg));
    const value = '{"accessToken":"plain-access-token-123","refreshToken":"plain-refresh-token-456"}';
    await store.set('rollworks-tokens-one', value);
    await expect(store.get('rollworks-tokens-one')).resolves.toBe(value);

    const first = await table().getEntity<{ value: string }>('secret', 'rollworks-tokens-one');
    expect(first.value).not.toContain('plain-access-token-123');
    expect(Buffer.from(first.value, 'base64').toString('utf8')).not.toContain('plain-refresh-token-456');
    await store.set('rollworks-tokens-one', value);
    const second = await table().getEntity<{ value: string }>('secret', 'rollworks-tokens-one');
    expect(second.value).not.toBe(first.value);

    await store.delete('rollworks-tokens-one');
    await expect(store.get('rollworks-tokens-one')).resolves.toBeUndefined();
    await expect(store.delete('rollworks-tokens-one')).resolves.toBeUndefined();
  });

  it('cannot be read with another key, nor a value moved to another name', async () => {
    const cfg = config();
    const store = createSecretStore(cfg, createStorageClients(cfg));
    await store.set('moved-secret', 'v1');
    const other = createLocalSecretStore(table(), { key: randomBytes(32).toString('base64') });
    await expect(other.get('moved-secret')).rejects.toThrow(/cannot be decrypted/);

    const entity = await table().getEntity<{ value: string }>('secret', 'moved-secret');
    await table().upsertEntity({ partitionKey: 'secret', rowKey: 'copy-of-secret', value: entity.value });
    await expect(store.get('copy-of-secret')).rejects.toThrow(/cannot be decrypted/);
  });

  it('serves the client secret from settings until one is stored', async () => {
    const cfg = config();
    const store = createSecretStore(cfg, createStorageClients(cfg));
    await expect(readClientSecret(store)).resolves.toBe('client-secret-from-settings');
    await store.set(CLIENT_SECRET_NAME, 'rotated-secret');
    await expect(readClientSecret(store)).resolves.toBe('rotated-secret');
    await store.delete(CLIENT_SECRET_NAME);
  });

  it('refuses bad names, bad keys and running in Azure', () => {
    const cfg = config();
    const store = createSecretStore(cfg, createStorageClients(cfg));
    return Promise.all([
      expect(store.set('has space', 'x')).rejects.toThrow(/Invalid secret name/),
      expect(() => createLocalSecretStore(table(), { key: Buffer.alloc(16).toString('base64') })).toThrow(
        /32 bytes/,
      ),
      expect(() => {
        const azure = config({ WEBSITE_INSTANCE_ID: 'instance-1' });
        createSecretStore(azure, createStorageClients(azure));
      }).toThrow(/SECRET_STORE=local is refused/),
    ]);
  });
});
