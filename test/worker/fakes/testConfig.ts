import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../../shared/config/config';

/** Raw settings of a valid local configuration, with `overrides`. */
export function testSettings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    ROLLWORKS_CLIENT_ID: 'local-client',
    ROLLWORKS_CLIENT_SECRET: 'local-secret',
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: randomBytes(32).toString('base64'),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:7071/.well-known/jwks.json',
    ...overrides,
  };
}

/** A valid local configuration for worker and RollWorks tests; `overrides` are raw settings. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testSettings(overrides));
}
