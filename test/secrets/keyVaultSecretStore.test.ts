import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { createKeyVaultSecretStore } from '../../shared/secrets/keyVaultSecretStore';

/**
 * An in-test fake of the Key Vault REST calls SecretClient makes (set, get, delete) including the
 * 401 challenge that starts Key Vault's authentication. The real SecretClient talks to it over HTTP.
 */
const VAULT = 'https://fake-vault.vault.azure.net';
const TOKEN = 'fake-vault-access-token';

interface Version {
  value: string;
  version: string;
  contentType?: string;
}

async function startFakeKeyVault() {
  const secrets = new Map<string, Version[]>();
  const deleted = new Map<string, Version[]>();
  const log: { method: string; path: string; authorized: boolean }[] = [];
  let versions = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      const authorized = request.headers.authorization === `Bearer ${TOKEN}`;
      log.push({ method: request.method ?? '', path: url.pathname, authorized });
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersion' } });
      if (!authorized) {
        return send(
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer token.' } },
          {
            'WWW-Authenticate':
              'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
          },
        );
      }
      const recover = /^\/deletedsecrets\/([0-9a-zA-Z-]+)\/recover$/.exec(url.pathname);
      if (recover && request.method === 'POST') {
        const history = deleted.get(recover[1]);
        if (!history) return send(404, { error: { code: 'SecretNotFound', message: 'not deleted' } });
        deleted.delete(recover[1]);
        secrets.set(recover[1], history);
        const last = history.at(-1)!;
        return send(200, {
          id: `${VAULT}/secrets/${recover[1]}/${last.version}`,
          attributes: { enabled: true },
        });
      }
      const match = /^\/secrets\/([0-9a-zA-Z-]+)\/?([0-9a-f]*)$/.exec(url.pathname);
      if (!match) return send(404, { error: { code: 'NotFound', message: 'unknown path' } });
      const [, name, version] = match;
      const bundle = (v: Version) => ({
        value: v.value,
        id: `${VAULT}/secrets/${name}/${v.version}`,
        contentType: v.contentType,
        attributes: { enabled: true, created: 1, updated: 1, recoveryLevel: 'Recoverable+Purgeable' },
      });
      const notFound = () =>
        send(404, {
          error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found.` },
        });
      const history = secrets.get(name);
      switch (request.method) {
        case 'PUT': {
          if (deleted.has(name)) {
            return send(409, {
              error: {
                code: 'Conflict',
                message: `Secret ${name} is currently in a deleted but recoverable state.`,
              },
            });
          }
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            value: string;
            contentType?: string;
          };
          const entry = {
            value: body.value,
            contentType: body.contentType,
            version: (++versions).toString(16).padStart(32, '0'),
          };
          secrets.set(name, [...(history ?? []), entry]);
          return send(200, bundle(entry));
        }
        case 'GET': {
          const entry = version ? history?.find((v) => v.version === version) : history?.at(-1);
          return entry ? send(200, bundle(entry)) : notFound();
        }
        case 'DELETE': {
          if (!history) return notFound();
          secrets.delete(name);
          deleted.set(name, history);
          return send(200, {
            ...bundle(history.at(-1)!),
            recoveryId: `${VAULT}/deletedsecrets/${name}`,
            deletedDate: 2,
          });
        }
        default:
          return send(405, { error: { code: 'MethodNotAllowed' } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    secrets,
    deleted,
    log,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends the SDK's https requests for the fake vault host to the local fake instead. */
function redirectingHttpClient(target: string): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest: async (request) => {
      const original = request.url;
      request.url = original.replace(VAULT, target);
      request.allowInsecureConnection = true; // the fake listens on plain http://127.0.0.1
      try {
        return await inner.sendRequest(request);
      } finally {
        request.url = original; // the challenge policy checks the vault host of the request
      }
    },
  };
}

describe('Key Vault secret store (real SecretClient, fake Key Vault over HTTP)', () => {
  let vault: Awaited<ReturnType<typeof startFakeKeyVault>>;
  const scopes: string[] = [];
  const credential: TokenCredential = {
    getToken: async (scope): Promise<AccessToken> => {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
  const store = () =>
    createKeyVaultSecretStore(VAULT, credential, {
      httpClient: redirectingHttpClient(vault.origin),
      retryOptions: { maxRetries: 0 },
    });

  beforeAll(async () => {
    vault = await startFakeKeyVault();
  });
  afterAll(async () => {
    await vault.stop();
  });

  it('goes through the 401 challenge, then sets, reads, overwrites and deletes a secret', async () => {
    const secrets = store();
    await secrets.set('rollworks-tokens-abc', '{"accessToken":"a1"}');
    expect(vault.log[0]).toMatchObject({ method: 'PUT', authorized: false }); // the challenge round trip
    expect(scopes).toContain('https://vault.azure.net/.default');
    expect(vault.secrets.get('rollworks-tokens-abc')?.at(-1)?.value).toBe('{"accessToken":"a1"}');

    await expect(secrets.get('rollworks-tokens-abc')).resolves.toBe('{"accessToken":"a1"}');
    await secrets.set('rollworks-tokens-abc', '{"accessToken":"a2"}');
    await expect(secrets.get('rollworks-tokens-abc')).resolves.toBe('{"accessToken":"a2"}');
    expect(vault.secrets.get('rollworks-tokens-abc')).toHaveLength(2); // Key Vault keeps versions

    await secrets.delete('rollworks-tokens-abc');
    expect(vault.secrets.has('rollworks-tokens-abc')).toBe(false);
    await expect(secrets.get('rollworks-tokens-abc')).resolves.toBeUndefined();
  });

  it('writes a secret again after it was deleted, recovering the soft-deleted one first', async () => {
    const secrets = store();
    await secrets.set('rollworks-tokens-again', 'first');
    await secrets.delete('rollworks-tokens-again');
    await secrets.set('rollworks-tokens-again', 'second');
    await expect(secrets.get('rollworks-tokens-again')).resolves.toBe('second');
    expect(vault.log.some((entry) => entry.path === '/deletedsecrets/rollworks-tokens-again/recover')).toBe(
      true,
    );
  });

  it('answers undefined for a missing secret and ignores deleting one', async () => {
    const secrets = store();
    await expect(secrets.get('never-written')).resolves.toBeUndefined();
    await expect(secrets.delete('never-written')).resolves.toBeUndefined();
  });

  it('refuses names Key Vault would refuse, before calling it', async () => {
    const before = vault.log.length;
    await expect(store().set('tokens_for/connection', 'x')).rejects.toThrow(/Invalid secret name/);
    expect(vault.log.length).toBe(before);
  });

  it('surfaces other Key Vault failures', async () => {
    const failing = createKeyVaultSecretStore(
      VAULT,
      { getToken: async () => ({ token: 'wrong', expiresOnTimestamp: Date.now() + 3600_000 }) },
      {
        httpClient: redirectingHttpClient(vault.origin),
        retryOptions: { maxRetries: 0 },
      },
    );
    await expect(failing.get('some-secret')).rejects.toMatchObject({ statusCode: 401 });
  });
});
