import { ADMIN, callbackQuery, signInAtRollWorks, startHarness, type Harness } from './support/harness';
import { ConnectionNotAuthorizedError } from '../../shared/connections/connectionTokens';
import { createRefreshLeases, TOKEN_LEASES_TABLE } from '../../shared/connections/refreshLease';

let harness: Harness;
const ACCESS_TOKEN_TTL_SECONDS = 3;

beforeAll(async () => {
  harness = await startHarness({ accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
}, 120_000);
afterAll(async () => {
  await harness?.stop();
});

async function authorizedConnection(name: string): Promise<string> {
  const { connections } = harness.instance();
  const created = await connections.create(
    { displayName: name, access: 'admins', dataPrivacyConsent: true },
    ADMIN,
  );
  const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
  const outcome = await connections.completeAuthorization(
    callbackQuery(await signInAtRollWorks(authorizeUrl)),
  );
  if (!outcome.ok) throw new Error(`authorization failed: ${outcome.code}`);
  return created.id;
}

const tokenCalls = () =>
  harness.simulator.state.requestLog.filter((entry) => entry.path.startsWith('/auth/token'));

describe('access token refresh', () => {
  it('serializes 20 concurrent refreshes across 4 instances: no refresh token is ever reused', async () => {
    const connectionId = await authorizedConnection('concurrent');
    const before = tokenCalls().length;
    const original = await harness.storedTokens(connectionId);
    const instances = Array.from({ length: 4 }, () => harness.instance());
    const providers = instances.map(({ connections }) => connections.tokenProvider(connectionId));
    // Every provider has seen the current token (as after a 401 on it), then all refresh at once.
    await Promise.all(providers.map((provider) => provider.get()));
    const refreshed = await Promise.all(Array.from({ length: 20 }, (_, i) => providers[i % 4].refresh()));

    const calls = tokenCalls().slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(4); // at most one per instance, and only for a token it had seen
    expect(calls.every((call) => call.status === 200)).toBe(true); // a reused refresh token would be a 400
    const stored = await harness.storedTokens(connectionId);
    expect(stored!.refreshToken).not.toBe(original!.refreshToken);
    expect(refreshed.every((token) => token !== original!.accessToken)).toBe(true);
    expect(refreshed).toContain(stored!.accessToken);

    const { services, connections } = harness.instance();
    await expect(
      services.destinations
        .get('rollworks')
        .forConnection(connections.tokenProvider(connectionId))
        .verifyAccount(),
    ).resolves.toMatchObject({
      id: expect.any(String),
    });
    expect(await connections.get(connectionId)).toMatchObject({ status: 'authorized', lastError: null });
  });

  it('refreshes before expiry on its own and the connection keeps working', async () => {
    const connectionId = await authorizedConnection('ahead of expiry');
    const { services, connections } = harness.instance();
    const provider = connections.tokenProvider(connectionId);
    const first = await provider.get();
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL_SECONDS * 1000));
    const second = await provider.get();
    expect(second).not.toBe(first);
    await expect(
      services.destinations.get('rollworks').forConnection(provider).verifyAccount(),
    ).resolves.toBeTruthy();
    const stored = await harness.storedTokens(connectionId);
    expect(stored!.accessToken).toBe(second);
  });

  it('marks the connection reauthorizationRequired when RollWorks rejects the refresh token', async () => {
    const connectionId = await authorizedConnection('rejected');
    const stolen = await harness.storedTokens(connectionId);
    // Someone else redeems the single-use refresh token first.
    const response = await fetch(`${harness.simulator.url}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stolen!.refreshToken,
        client_id: 'local-client',
        client_secret: 'local-secret',
      }),
    });
    expect(response.status).toBe(200);

    const { connections } = harness.instance();
    const error = await connections
      .tokenProvider(connectionId)
      .refresh()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionNotAuthorizedError);
    expect(error).toMatchObject({ code: 'INVALID_GRANT', reason: 'reauthorizationRequired' });
    const connection = await connections.get(connectionId);
    expect(connection).toMatchObject({
      status: 'reauthorizationRequired',
      lastError: {
        code: 'REAUTHORIZATION_REQUIRED',
        message: expect.stringMatching(/authorize the connection again/),
      },
    });
    // Later calls fail fast without spending RollWorks calls on a dead refresh token.
    const before = tokenCalls().length;
    await expect(harness.instance().connections.tokenProvider(connectionId).get()).rejects.toBeInstanceOf(
      ConnectionNotAuthorizedError,
    );
    expect(tokenCalls().length).toBe(before);

    // Authorizing again brings it back.
    const { authorizeUrl } = await connections.startAuthorization(connectionId, ADMIN);
    await connections.completeAuthorization(callbackQuery(await signInAtRollWorks(authorizeUrl)));
    expect(await connections.get(connectionId)).toMatchObject({ status: 'authorized', lastError: null });
  });

  it('a connection never authorized has no token to give', async () => {
    const { connections } = harness.instance();
    const created = await connections.create(
      { displayName: 'never', access: 'admins', dataPrivacyConsent: true },
      ADMIN,
    );
    await expect(connections.tokenProvider(created.id).get()).rejects.toMatchObject({
      reason: 'notAuthorized',
    });
  });
});

describe('refresh lease', () => {
  it('makes a second holder wait for the first, and takes over a lease left by a crashed instance', async () => {
    const table = harness.instance().services.storage.table(TOKEN_LEASES_TABLE);
    const leases = createRefreshLeases(
      table,
      { now: () => new Date() },
      { leaseSeconds: 1, waitTimeoutMs: 10_000 },
    );
    const order: string[] = [];
    const first = await leases.acquire('lease-test');
    const second = leases.acquire('lease-test').then((lease) => {
      order.push('second acquired');
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second acquired']);

    await leases.acquire('crashed'); // never released
    const started = Date.now();
    const takeover = await leases.acquire('crashed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await takeover.release();

    const impatient = createRefreshLeases(
      table,
      { now: () => new Date() },
      { leaseSeconds: 60, waitTimeoutMs: 300 },
    );
    await impatient.acquire('busy');
    await expect(impatient.acquire('busy')).rejects.toThrow(/Timed out/);
  });
});
