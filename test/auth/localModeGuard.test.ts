import path from 'node:path';
import { startLocalFunctionsHost } from '../../dev/localHost/host';
import { assertLocalModesAllowed } from '../../shared/auth/localModeGuard';
import { loadConfig } from '../../shared/config/config';

const settings = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ROLLWORKS_CLIENT_ID: 'client-1',
  SECRET_STORE: 'local',
  LOCAL_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
  AUTH_MODE: 'local',
  LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:1/jwks',
  ENTRA_ISSUER: 'https://local.invalid/',
  ENTRA_AUDIENCE: 'api://local',
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
};

describe('local modes in Azure', () => {
  it('are allowed off Azure and refused in Azure, naming each', () => {
    expect(() => assertLocalModesAllowed(loadConfig(settings))).not.toThrow();
    expect(() => assertLocalModesAllowed(loadConfig({ ...settings, WEBSITE_INSTANCE_ID: 'i-1' }))).toThrow(
      'AUTH_MODE=local and SECRET_STORE=local are refused: the app runs in Azure',
    );
    expect(() =>
      assertLocalModesAllowed(
        loadConfig({
          ...settings,
          WEBSITE_INSTANCE_ID: 'i-1',
          SECRET_STORE: 'keyVault',
          KEY_VAULT_URI: 'https://kv.vault.azure.net',
        }),
      ),
    ).toThrow(/^AUTH_MODE=local is refused/);
  });

  const startup = path.resolve(__dirname, '../../functions/startup.ts');

  it('stop the function app from starting', async () => {
    const start = startLocalFunctionsHost({
      port: 0,
      files: [startup],
      settings: { ...settings, WEBSITE_INSTANCE_ID: 'instance-in-azure' },
    });
    await expect(start).rejects.toThrow(/refused: the app runs in Azure/);
  });

  it("start on the local host with DEV_SKIP_FUNCTIONS_ENV_CHECK, which hides Azure's variables from the app", async () => {
    const host = await startLocalFunctionsHost({
      port: 0,
      files: [startup],
      settings: {
        ...settings,
        WEBSITE_INSTANCE_ID: 'instance-in-azure',
        DEV_SKIP_FUNCTIONS_ENV_CHECK: 'true',
      },
    });
    try {
      expect(process.env.WEBSITE_INSTANCE_ID).toBeUndefined();
    } finally {
      await host.stop();
    }
  });
});
