import { ConfigError, loadConfig } from '../../shared/config/config';

const localEnv = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ROLLWORKS_CLIENT_ID: 'client-1',
  SECRET_STORE: 'local',
  LOCAL_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
  AUTH_MODE: 'local',
  LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:7071/.well-known/jwks.json',
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071/',
};

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(localEnv);
    expect(config.ROLLWORKS_API_BASE_URL).toBe('https://services.adroll.com');
    expect(config.ROLLWORKS_AUTH_BASE_URL).toBe('https://services.adroll.com');
    expect(config.ROLLWORKS_MAX_REQUEST_BYTES).toBe(16 * 1024 * 1024);
    expect(config.ROLLWORKS_DAILY_REQUEST_BUDGET).toBe(100);
    expect(config.SEGMENTS_CONTAINER).toBe('segments');
    expect(config.OAUTH_STATE_TTL_SECONDS).toBe(600);
    expect(config.PUBLIC_BASE_URL).toBe('http://127.0.0.1:7071');
  });

  it('names every missing or bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ ROLLWORKS_MAX_REQUEST_BYTES: 'lots', PUBLIC_BASE_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('ROLLWORKS_CLIENT_ID');
    expect(message).toContain('ROLLWORKS_MAX_REQUEST_BYTES');
    expect(message).toContain('PUBLIC_BASE_URL');
    expect(message).toContain('AzureWebJobsStorage__blobServiceUri');
    expect(message).toContain('KEY_VAULT_URI');
  });

  it('rejects an unresolved Key Vault reference', () => {
    expect(() =>
      loadConfig({
        ...localEnv,
        ROLLWORKS_CLIENT_ID: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x)',
      }),
    ).toThrow(/ROLLWORKS_CLIENT_ID: is an unresolved Key Vault reference/);
  });
});
