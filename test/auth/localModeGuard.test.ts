import path from 'node:path';
import { startLocalFunctionsHost } from '../../dev/localHost/host';
import { assertLocalModesAllowed } from '../../shared/auth/localModeGuard';
import { loadConfig, runsInAzure } from '../../shared/config/config';

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

  it.each([
    [
      'Flex Consumption',
      { WEBSITE_SKU: 'FlexConsumption', CONTAINER_NAME: 'func-app-7f2', WEBSITE_SITE_NAME: 'func-app' },
    ],
    ['Flex Consumption, by its SKU alone', { WEBSITE_SKU: 'FlexConsumption' }],
    ['an App Service plan', { WEBSITE_SITE_NAME: 'func-app', WEBSITE_INSTANCE_ID: 'i-1' }],
  ])('are refused on %s, naming the setting that shows it', (_plan, azure) => {
    const config = loadConfig({ ...settings, ...azure });
    expect(runsInAzure(config)).toBe(true);
    expect(() => assertLocalModesAllowed(config)).toThrow(
      new RegExp(`are refused: the app runs in Azure \\((${Object.keys(azure).join('|')}) is set\\)`),
    );
  });

  it('are allowed when no Azure setting is present, even in a container that sets CONTAINER_NAME', () => {
    expect(runsInAzure(loadConfig(settings))).toBe(false);
    expect(runsInAzure(loadConfig({ ...settings, CONTAINER_NAME: 'sandbox-1' }))).toBe(false);
  });

  it('stop the function app from starting', async () => {
    const start = startLocalFunctionsHost({
      port: 0,
      files: [startup],
      settings: { ...settings, WEBSITE_SKU: 'FlexConsumption', CONTAINER_NAME: 'func-app-7f2' },
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
