import { getServices } from '../../shared/services';
import type { Role } from '../../shared/model/identity';
import { startHarness, type Harness } from '../connections/support/harness';
import { startApiHost, type ApiHost } from '../connections/support/apiHost';

/**
 * Every role-gated endpoint × every role, plus requests without a valid token, over real HTTP through
 * the local Functions host, with tokens checked against the JWKS it publishes. Export, run and segment
 * endpoints are called on ids that do not exist: a caller the role check lets through gets 404 (or 422
 * for an invalid body), one it stops gets 403.
 */
let harness: Harness;
let api: ApiHost;

beforeAll(async () => {
  harness = await startHarness();
  api = await startApiHost(harness, [
    'connections.ts',
    'connectionAdvertisers.ts',
    'oauthCallback.ts',
    'exports.ts',
    'runs.ts',
    'segments.ts',
  ]);
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await harness?.stop();
});

const ADMIN_ONLY = { admin: 403, contributor: 403, viewer: 403, runner: 403, noRoles: 403 };
/** Every app role gets `status`; a token without roles gets 403. */
const EVERY_ROLE = (status: number) => ({
  admin: status,
  contributor: status,
  viewer: status,
  runner: status,
  noRoles: 403,
});

interface Endpoint {
  name: string;
  method: string;
  path: (connectionId: string) => string;
  body?: unknown;
  /** Status per caller when the token is valid. */
  expected: Record<'admin' | 'contributor' | 'viewer' | 'runner' | 'noRoles', number>;
  anonymous?: boolean;
}

const endpoints: Endpoint[] = [
  {
    name: 'create connection',
    method: 'POST',
    path: () => '/api/connections',
    body: { displayName: 'table', access: 'adminsAndContributors', dataPrivacyConsent: true },
    expected: { ...ADMIN_ONLY, admin: 201 },
  },
  {
    name: 'list connections',
    method: 'GET',
    path: () => '/api/connections',
    expected: { ...ADMIN_ONLY, admin: 200, contributor: 200 },
  },
  {
    name: 'get connection',
    method: 'GET',
    path: (id) => `/api/connections/${id}`,
    expected: { ...ADMIN_ONLY, admin: 200, contributor: 200 },
  },
  {
    name: 'patch connection',
    method: 'PATCH',
    path: (id) => `/api/connections/${id}`,
    body: { displayName: 'renamed' },
    expected: { ...ADMIN_ONLY, admin: 200 },
  },
  {
    name: 'delete connection',
    method: 'DELETE',
    path: (id) => `/api/connections/${id}`,
    expected: { ...ADMIN_ONLY, admin: 204 },
  },
  {
    name: 'start authorization',
    method: 'POST',
    path: (id) => `/api/connections/${id}/authorize`,
    expected: { ...ADMIN_ONLY, admin: 200 },
  },
  {
    name: 'add export user',
    method: 'POST',
    path: (id) => `/api/connections/${id}/export-user`,
    expected: { ...ADMIN_ONLY, admin: 200 },
  },
  {
    name: 'connection advertisers (not signed in to RollWorks → 422)',
    method: 'GET',
    path: (id) => `/api/connections/${id}/advertisers`,
    expected: { ...ADMIN_ONLY, admin: 422, contributor: 422 },
  },
  {
    name: 'list exports',
    method: 'GET',
    path: () => '/api/exports',
    expected: EVERY_ROLE(200),
  },
  {
    name: 'create export (invalid body)',
    method: 'POST',
    path: () => '/api/exports',
    body: {},
    expected: { ...ADMIN_ONLY, admin: 422, contributor: 422 },
  },
  {
    name: 'get export',
    method: 'GET',
    path: () => '/api/exports/exp_missing',
    expected: EVERY_ROLE(404),
  },
  {
    name: 'update export (invalid body)',
    method: 'PUT',
    path: () => '/api/exports/exp_missing',
    body: {},
    expected: { ...ADMIN_ONLY, admin: 422, contributor: 422 },
  },
  {
    name: 'delete export',
    method: 'DELETE',
    path: () => '/api/exports/exp_missing',
    expected: { ...ADMIN_ONLY, admin: 404, contributor: 404 },
  },
  {
    name: 'start run',
    method: 'POST',
    path: () => '/api/exports/exp_missing/runs',
    expected: { ...ADMIN_ONLY, admin: 404, contributor: 404, runner: 404 },
  },
  {
    name: 'run history',
    method: 'GET',
    path: () => '/api/exports/exp_missing/runs',
    expected: EVERY_ROLE(404),
  },
  {
    name: 'get run',
    method: 'GET',
    path: () => '/api/runs/run_missing',
    expected: EVERY_ROLE(404),
  },
  {
    name: 'segment rejections',
    method: 'GET',
    path: () => '/api/runs/run_missing/segments/newsletter/rejections',
    expected: { ...EVERY_ROLE(404), runner: 403 },
  },
  {
    name: 'cancel run',
    method: 'POST',
    path: () => '/api/runs/run_missing/cancel',
    expected: { ...ADMIN_ONLY, admin: 404, contributor: 404, runner: 404 },
  },
  {
    name: 'list segments',
    method: 'GET',
    path: () => '/api/segments',
    expected: EVERY_ROLE(200),
  },
  {
    name: 'get segment',
    method: 'GET',
    path: () => '/api/segments/missing-segment',
    expected: EVERY_ROLE(404),
  },
  {
    name: 'oauth callback (anonymous; no state → error page)',
    method: 'GET',
    path: () => '/api/oauth/rollworks/callback?code=abc',
    expected: { admin: 400, contributor: 400, viewer: 400, runner: 400, noRoles: 400 },
    anonymous: true,
  },
];

const ROLE_OF: Record<string, Role[]> = {
  admin: ['Exports.Admin'],
  contributor: ['Exports.Contributor'],
  viewer: ['Exports.Viewer'],
  runner: ['Exports.Runner'],
  noRoles: [],
};

const badTokens: Record<string, () => Promise<string | undefined>> = {
  'no token': async () => undefined,
  'expired token': () => api.token({ roles: ['Exports.Admin'], expiresInSeconds: -600 }),
  'wrong audience': () => api.token({ roles: ['Exports.Admin'], audience: 'api://another-app' }),
  'wrong signature': () => api.foreignToken({ roles: ['Exports.Admin'] }),
};

async function freshConnectionId(): Promise<string> {
  const connection = await getServices().connections.create(
    { displayName: 'role table target', access: 'adminsAndContributors', dataPrivacyConsent: true },
    { id: 'setup', name: 'Setup' },
  );
  return connection.id;
}

async function call(endpoint: Endpoint, token: string | undefined) {
  const id = await freshConnectionId();
  const response = await fetch(`${api.origin}${endpoint.path(id)}`, {
    method: endpoint.method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(endpoint.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: endpoint.body ? JSON.stringify(endpoint.body) : undefined,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const roleRows = endpoints.flatMap((endpoint) =>
  Object.entries(endpoint.expected).map(
    ([caller, status]) => [endpoint.name, caller, status, endpoint] as const,
  ),
);

describe('role table: valid tokens', () => {
  it.each(roleRows)('%s as %s → %i', async (_name, caller, status, endpoint) => {
    const token = await api.token({ roles: ROLE_OF[caller], sub: `${caller}-oid`, name: caller });
    const response = await call(endpoint, token);
    expect(response.status).toBe(status);
    if (status === 403) {
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(JSON.parse(response.text)).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    }
  });
});

const badRows = endpoints.flatMap((endpoint) =>
  Object.keys(badTokens).map(
    (kind) => [endpoint.name, kind, endpoint.anonymous ? 400 : 401, endpoint] as const,
  ),
);

describe('role table: missing or invalid tokens', () => {
  it.each(badRows)('%s with %s → %i', async (_name, kind, status, endpoint) => {
    const response = await call(endpoint, await badTokens[kind]());
    expect(response.status).toBe(status);
    if (status === 401) {
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });
});
