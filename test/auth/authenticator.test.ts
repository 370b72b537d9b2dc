import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuthenticator } from '../../shared/auth/authenticator';
import { loadConfig, type AppConfig } from '../../shared/config/config';
import { DomainError } from '../../shared/errors/domainErrors';
import { problemOf as edgeProblem } from '../../shared/http/handler';
import type { Problem } from '../../shared/http/problem';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, localJwks, signLocalToken } from '../../dev/localAuth';
import { startJsonServer, type JsonServer } from '../connections/support/jwksServer';

const keyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-key-'));
const otherKeyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-other-key-'));
let server: JsonServer;

const baseEnv = () => ({
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ROLLWORKS_CLIENT_ID: 'client-1',
  SECRET_STORE: 'local',
  LOCAL_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
  PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
});
const localConfig = (extra: Record<string, string> = {}): AppConfig =>
  loadConfig({
    ...baseEnv(),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: `${server.url}/jwks`,
    ENTRA_ISSUER: LOCAL_ISSUER,
    ENTRA_AUDIENCE: LOCAL_AUDIENCE,
    ...extra,
  });

const bearer = (token: string) => `Bearer ${token}`;
const YEAR = 365 * 24 * 3600;

/** The problem response the HTTP edge answers the rejection with. */
async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return edgeProblem(error as DomainError);
}

beforeAll(async () => {
  server = await startJsonServer({
    '/jwks': () => localJwks(keyRoot),
    '/tenant/.well-known/openid-configuration': () => ({ jwks_uri: `${server.url}/jwks` }),
  });
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(keyRoot, { recursive: true, force: true });
  fs.rmSync(otherKeyRoot, { recursive: true, force: true });
});

describe('createAuthenticator', () => {
  it('accepts a valid token and builds the principal from oid, name and the known roles only', async () => {
    const authenticator = createAuthenticator(localConfig());
    const token = await signLocalToken(
      { roles: ['Exports.Admin', 'Exports.Viewer', 'Something.Else'], sub: 'alice-oid', name: 'Alice' },
      keyRoot,
    );
    await expect(authenticator.authenticate(bearer(token))).resolves.toEqual({
      id: 'alice-oid',
      name: 'Alice',
      roles: ['Exports.Admin', 'Exports.Viewer'],
    });
  });

  it('caches the JWKS instead of fetching it per request', async () => {
    const authenticator = createAuthenticator(localConfig());
    const token = await signLocalToken({ roles: ['Exports.Viewer'] }, keyRoot);
    const before = server.requests();
    for (let i = 0; i < 5; i++) await authenticator.authenticate(bearer(token));
    expect(server.requests() - before).toBe(1);
  });

  it.each([
    ['no header', null, /Authorization header/],
    ['not a bearer scheme', 'Basic dXNlcjpwYXNz', /Bearer/],
    ['a malformed token', 'Bearer not.a.jwt', /not valid/],
  ])('answers 401 with WWW-Authenticate for %s', async (_case, header, detail) => {
    const problem = await problemOf(createAuthenticator(localConfig()).authenticate(header));
    expect(problem.status).toBe(401);
    expect(problem.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(problem.detail).toMatch(detail);
  });

  it.each([
    ['an expired token', { expiresInSeconds: -300 }, keyRoot, /expired/],
    ['a token not valid yet', { notBefore: new Date(Date.now() + 600_000) }, keyRoot, /not valid yet/],
    ['a wrong audience', { audience: 'api://someone-else' }, keyRoot, /audience/],
    ['a wrong issuer', { issuer: 'https://evil.example/' }, keyRoot, /issuer/],
    ['a wrong signature (another key, same kid)', {}, otherKeyRoot, /signature/],
    [
      'a token issued a year in the future',
      { issuedAt: new Date(Date.now() + YEAR * 1000), expiresInSeconds: YEAR + 3600 },
      keyRoot,
      /issued in the future/,
    ],
    [
      'a token that lives 100 years',
      { expiresInSeconds: 100 * YEAR },
      keyRoot,
      /lives longer than 86400 seconds/,
    ],
    ['a token that lives a day and a minute', { expiresInSeconds: 86_460 }, keyRoot, /lives longer/],
  ])('answers 401 for %s', async (_case, options, root, detail) => {
    const token = await signLocalToken({ roles: ['Exports.Admin'], ...options }, root);
    const problem = await problemOf(createAuthenticator(localConfig()).authenticate(bearer(token)));
    expect(problem.status).toBe(401);
    expect(problem.detail).toMatch(detail);
  });

  it('accepts a token of the longest lifetime allowed, and an iat within the clock tolerance', async () => {
    for (const options of [{ expiresInSeconds: 86_400 }, { issuedAt: new Date(Date.now() + 30_000) }]) {
      const token = await signLocalToken({ roles: ['Exports.Admin'], ...options }, keyRoot);
      await expect(createAuthenticator(localConfig()).authenticate(bearer(token))).resolves.toMatchObject({
        roles: ['Exports.Admin'],
      });
    }
  });

  it('tolerates small clock skew on exp', async () => {
    const token = await signLocalToken({ roles: ['Exports.Admin'], expiresInSeconds: -10 }, keyRoot);
    await expect(createAuthenticator(localConfig()).authenticate(bearer(token))).resolves.toMatchObject({
      roles: ['Exports.Admin'],
    });
  });

  it('falls back to sub and preferred_username-less names', async () => {
    const token = await signLocalToken({ roles: [], sub: 'svc-1' }, keyRoot);
    await expect(createAuthenticator(localConfig()).authenticate(bearer(token))).resolves.toEqual({
      id: 'svc-1',
      name: 'svc-1',
      roles: [],
    });
  });

  it('in entra mode finds the JWKS through the issuer discovery document', async () => {
    const issuer = `${server.url}/tenant`;
    const config = loadConfig({
      ...baseEnv(),
      AUTH_MODE: 'entra',
      ENTRA_ISSUER: issuer,
      ENTRA_AUDIENCE: 'api://app',
    });
    const token = await signLocalToken(
      { roles: ['Exports.Runner'], issuer, audience: 'api://app', sub: 'runner' },
      keyRoot,
    );
    await expect(createAuthenticator(config).authenticate(bearer(token))).resolves.toEqual({
      id: 'runner',
      name: 'runner',
      roles: ['Exports.Runner'],
    });
  });

  it('answers 503 (not 401) when the signing keys cannot be fetched', async () => {
    const config = localConfig({ LOCAL_AUTH_JWKS_URI: `${server.url}/missing-jwks` });
    const token = await signLocalToken({ roles: ['Exports.Admin'] }, keyRoot);
    const problem = await problemOf(createAuthenticator(config).authenticate(bearer(token)));
    expect(problem.status).toBe(503);
  });

  it('refuses local mode when the app runs in Azure', () => {
    expect(() => createAuthenticator(localConfig({ WEBSITE_INSTANCE_ID: 'abc123' }))).toThrow(
      /AUTH_MODE=local is refused: the app runs in Azure/,
    );
  });
});
