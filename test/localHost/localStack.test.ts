import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack } from '../../dev/localStack';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../dev/localAuth';
import { sharedStorage } from '../support/sharedAzurite';

const httpFixture = path.join(__dirname, 'fixtures', 'functions', 'http.ts');

describe('startLocalStack', () => {
  let root: string;
  let storage: Awaited<ReturnType<typeof sharedStorage>>;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-stack-'));
    storage = await sharedStorage();
  });

  afterAll(async () => {
    await storage?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('wires local defaults, lets the environment override them, and uses an external RollWorks', async () => {
    const env = {
      ROLLWORKS_API_BASE_URL: 'http://127.0.0.1:9',
      ROLLWORKS_CLIENT_ID: 'my-client',
      AzureWebJobsStorage: storage.connectionString,
      SEGMENTS_CONTAINER: 'my-segments',
    };
    const before = process.env.SEGMENTS_CONTAINER;
    const stack = await startLocalStack({ env, root, hostPort: 0, files: [httpFixture] });
    try {
      expect(stack.simulator).toBeUndefined();
      expect(stack.azurite).toBeUndefined();
      expect(stack.settings).toMatchObject({
        ...env,
        ROLLWORKS_AUTH_BASE_URL: 'http://127.0.0.1:9',
        SECRET_STORE: 'local',
        AUTH_MODE: 'local',
        ENTRA_ISSUER: LOCAL_ISSUER,
        ENTRA_AUDIENCE: LOCAL_AUDIENCE,
        PUBLIC_BASE_URL: stack.urls.functions,
        LOCAL_AUTH_JWKS_URI: `${stack.urls.functions}/.well-known/jwks.json`,
        EXPORT_QUEUE_NAME: 'export-segments',
        DEV_SKIP_FUNCTIONS_ENV_CHECK: 'true',
      });
      expect(Buffer.from(stack.settings.LOCAL_SECRET_KEY, 'base64')).toHaveLength(32);
      expect(fs.readFileSync(path.join(root, '.local', 'secret-key'), 'utf8')).toBe(
        stack.settings.LOCAL_SECRET_KEY,
      );
      expect(process.env.SEGMENTS_CONTAINER).toBe('my-segments'); // the host's app settings
      expect((await fetch(`${stack.urls.api}/items/3`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    expect(process.env.SEGMENTS_CONTAINER).toBe(before);
  });

  it('starts the RollWorks simulator when no RollWorks is configured, and keeps the secret key', async () => {
    const firstKey = fs.readFileSync(path.join(root, '.local', 'secret-key'), 'utf8');
    const stack = await startLocalStack({
      env: { AzureWebJobsStorage: storage.connectionString },
      root,
      hostPort: 0,
      simulatorPort: 0,
      files: [httpFixture],
    });
    try {
      expect(stack.simulator).toBeDefined();
      expect(stack.settings.ROLLWORKS_API_BASE_URL).toBe(stack.simulator!.url);
      expect(stack.settings.ROLLWORKS_AUTH_BASE_URL).toBe(stack.simulator!.url);
      expect(stack.settings.ROLLWORKS_CLIENT_ID).toBe('local-client');
      expect(stack.settings.LOCAL_SECRET_KEY).toBe(firstKey);
      const unauthenticated = await fetch(`${stack.simulator!.url}/api/v1/organization/get`);
      expect(unauthenticated.status).toBe(401);
    } finally {
      await stack.stop();
    }
  });
});
