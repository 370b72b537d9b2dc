import { getServices } from '../../shared/services';
import type { Role } from '../../shared/model/identity';
import { routeTable } from '../../functions/routes/routeTable';
import { startHarness, type Harness } from '../connections/support/harness';
import { startApiHost, type ApiHost } from '../connections/support/apiHost';

/**
 * Every route of the route table × every role, plus requests without a valid token, over real HTTP
 * through the local Functions host, with tokens checked against the JWKS it publishes. Export, run and
 * segment routes are called on ids that do not exist: a caller the route's roles let through gets 404
 * (or 422 for an invalid body), one they stop gets 403.
 */
let harness: Harness;
let api: ApiHost;

beforeAll(async () => {
  harness = await startHarness();
  api = await startApiHost(harness, ['http.ts']);
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await harness?.stop();
});

type Caller = 'admin' | 'contributor' | 'viewer' | 'runner' | 'noRoles';

const ROLE_OF: Record<Caller, Role[]> = {
  admin: ['Exports.Admin'],
  contributor: ['Exports.Contributor'],
  viewer: ['Exports.Viewer'],
  runner: ['Exports.Runner'],
  noRoles: [],
};

/**
 * How each route of the route table is called, and what a caller its roles let through gets. Paths
 * come from the route's template with these parameter values; roles come from the route table.
 */
interface Sample {
  /** Route parameter values; connection routes get a connection created for the call. */
  params?: (connectionId: string) => Record<string, string>;
  query?: string;
  body?: unknown;
  status: number;
}

const connection = (id: string) => ({ id });
const missingExport = () => ({ id: 'exp_missing' });
const missingRun = () => ({ runId: 'run_missing' });
const missingWebhook = () => ({ id: '00000000-0000-4000-8000-000000000000' });

const samples: Record<string, Sample> = {
  getHealth: { status: 200 },
  getOpenApiDocument: { status: 200 },
  createConnection: {
    body: { displayName: 'table', access: 'adminsAndContributors', dataPrivacyConsent: true },
    status: 201,
  },
  listConnections: { status: 200 },
  getConnection: { params: connection, status: 200 },
  updateConnection: { params: connection, body: { displayName: 'renamed' }, status: 200 },
  deleteConnection: { params: connection, status: 204 },
  startAuthorization: { params: connection, status: 200 },
  setExportUser: { params: connection, status: 200 },
  // not signed in to RollWorks: a caller let through learns that (422), the others get 403
  listConnectionAdvertisers: { params: connection, status: 422 },
  // a JSON body is the wrong media type for a list: 415 once the role is allowed
  replaceSuppressions: { params: connection, body: {}, status: 415 },
  getSuppressions: { params: connection, status: 200 },
  clearSuppressions: { params: connection, status: 204 },
  completeAuthorization: { query: '?code=abc', status: 400 }, // no state → error page
  listSegments: { status: 200 },
  getSegment: { params: () => ({ name: 'missing-segment' }), status: 404 },
  listExports: { status: 200 },
  createExport: { body: {}, status: 422 },
  getExport: { params: missingExport, status: 404 },
  updateExport: { params: missingExport, body: {}, status: 422 },
  deleteExport: { params: missingExport, status: 404 },
  getDiscontinued: { params: missingExport, status: 404 },
  startRun: { params: missingExport, status: 404 },
  listRuns: { params: missingExport, status: 404 },
  getRun: { params: missingRun, status: 404 },
  getSegmentRejections: { params: () => ({ ...missingRun(), segment: 'newsletter' }), status: 404 },
  cancelRun: { params: missingRun, status: 404 },
  createWebhook: { body: {}, status: 422 },
  listWebhooks: { status: 200 },
  getWebhook: { params: missingWebhook, status: 404 },
  deleteWebhook: { params: missingWebhook, status: 404 },
  testWebhook: { params: missingWebhook, status: 404 },
  listWebhookDeliveries: { params: missingWebhook, status: 404 },
};

interface Endpoint {
  name: string;
  method: string;
  path: (connectionId: string) => string;
  body?: unknown;
  /** Status per caller when the token is valid. */
  expected: Record<Caller, number>;
  anonymous: boolean;
}

const endpoints: Endpoint[] = routeTable.map((route) => {
  const sample = samples[route.name];
  if (!sample) throw new Error(`the role table has no sample call for route ${route.name}`);
  const allows = (roles: Role[]) =>
    route.roles === 'anonymous' || roles.some((role) => route.roles.includes(role));
  return {
    name: `${route.name} (${route.method} ${route.path})`,
    method: route.method,
    path: (id) => {
      const params = sample.params?.(id) ?? {};
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
      return `/api/${path}${sample.query ?? ''}`;
    },
    body: sample.body,
    expected: Object.fromEntries(
      Object.entries(ROLE_OF).map(([caller, roles]) => [caller, allows(roles) ? sample.status : 403]),
    ) as Record<Caller, number>,
    anonymous: route.roles === 'anonymous',
  };
});

test('every sample call names a route of the route table', () => {
  expect(Object.keys(samples).sort()).toEqual(routeTable.map((route) => route.name).sort());
});

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
    ([caller, status]) => [endpoint.name, caller as Caller, status, endpoint] as const,
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
    (kind) => [endpoint.name, kind, endpoint.anonymous ? endpoint.expected.admin : 401, endpoint] as const,
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
