import { createRollWorksDestination } from '../../../shared/destinations/rollworks';
import { membersRequestBody } from '../../../shared/destinations/rollworks/membersBody';
import type { AccessTokenProvider } from '../../../shared/destinations/destination';
import { DestinationError } from '../../../shared/destinations/destinationError';
import { testConfig } from '../../worker/fakes/testConfig';
import { countingBudget } from './countingBudget';
import { json, startScriptedServer } from './scriptedServer';

type Server = Awaited<ReturnType<typeof startScriptedServer>>;

const AUDIENCE = { result: 'success', segment: { segment_id: 'SEG1', type: 'crm', name: 'A', emails: 2 } };

function tokens(initial = 'token-1') {
  let current = initial;
  const provider: AccessTokenProvider & { refreshes: number } = {
    refreshes: 0,
    get: async () => current,
    refresh: async () => {
      provider.refreshes += 1;
      current = `token-${provider.refreshes + 1}`;
      return current;
    },
  };
  return provider;
}

describe('RollWorks destination (exact HTTP behaviour against a scripted server)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.stop());

  function setup(settings: Record<string, string> = {}, budgetLimit = Infinity) {
    const config = testConfig({
      ROLLWORKS_API_BASE_URL: server.url,
      ROLLWORKS_AUTH_BASE_URL: server.url,
      ROLLWORKS_RETRY_BUDGET_MS: '10000',
      ...settings,
    });
    const budget = countingBudget(budgetLimit);
    const delays: number[] = [];
    let clock = 0;
    const client = createRollWorksDestination(config, {
      budget,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      now: () => clock,
      getClientSecret: async () => 'secret-from-store',
    });
    return { client, budget, delays, provider: tokens() };
  }

  it('sends apikey, bearer token and JSON on every API call, and a create body with one record per email', async () => {
    const { client, provider, budget } = setup();
    server.reply(json(200, AUDIENCE));
    const audience = await client
      .forConnection(provider)
      .createAudience('ADV1', 'Name "quoted"', ['a@example.com', '0cc175b9c0f1b6a831c399e269772661']);
    expect(audience).toEqual({ audienceId: 'SEG1', type: 'crm', name: 'A', memberCount: 2 });
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/audience/v1/segments');
    expect(request.url.searchParams.get('apikey')).toBe('local-client');
    expect(request.headers.authorization).toBe('Bearer token-1');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers.accept).toMatch(/application\/json/);
    expect(JSON.parse(request.body)).toEqual({
      advertiser_id: 'ADV1',
      name: 'Name "quoted"',
      type: 'crm',
      data: [{ email: 'a@example.com' }, { email: '0cc175b9c0f1b6a831c399e269772661' }],
    });
    expect(budget.used).toBe(1);
  });

  it('writes member lists straight into one buffer, equal to JSON.stringify, escaping when needed', () => {
    const body = (emails: string[]) =>
      JSON.parse(membersRequestBody('{"name":"A · B","data":', emails, '}').toString('utf8'));
    const plain = ['a@x.io', 'b@y.io', '0cc175b9c0f1b6a831c399e269772661'];
    expect(body(plain)).toEqual({ name: 'A · B', data: plain.map((email) => ({ email })) });
    const odd = ['we"ird@x.io', 'back\\slash@x.io', 'ünï@x.io'];
    expect(body(odd)).toEqual({ name: 'A · B', data: odd.map((email) => ({ email })) });
    expect(body([])).toEqual({ name: 'A · B', data: [] });
  });

  it('honours Retry-After on 429 and counts every attempt against the budget', async () => {
    const { client, provider, delays, budget } = setup();
    server.reply(
      json(429, {}, { 'Retry-After': '3' }),
      json(429, {}, { 'Retry-After': '1' }),
      json(200, AUDIENCE),
    );
    await client.forConnection(provider).readAudience('SEG1');
    expect(delays).toEqual([3000, 1000]);
    expect(server.requests).toHaveLength(3);
    expect(budget.used).toBe(3);
  });

  it('retries 5xx with exponential backoff and full jitter, then succeeds', async () => {
    const { client, provider, delays } = setup();
    server.reply(json(500, {}), json(503, {}), json(502, {}), json(200, AUDIENCE));
    await client.forConnection(provider).replaceAudience('SEG1', 'A', ['a@example.com']);
    // random() = 0.5 → half of min(cap, 500 × 2^attempt)
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it('gives up when the retry budget would be exceeded, with a retryable error and a suggested delay', async () => {
    const { client, provider, delays } = setup({ ROLLWORKS_RETRY_BUDGET_MS: '3000' });
    server.always(json(500, { errors: [{ code: 500, message: 'boom' }] }));
    const error = await client
      .forConnection(provider)
      .readAudience('SEG1')
      .catch((e: unknown) => e);
    server.always(json(200, {}));
    expect(error).toBeInstanceOf(DestinationError);
    const destinationError = error as DestinationError;
    expect(destinationError.code).toBe('SERVER_ERROR');
    expect(destinationError.retryable).toBe(true);
    expect(destinationError.retryAfterMs).toBeGreaterThanOrEqual(15_000);
    expect(destinationError.message).toContain('boom');
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3000);
  });

  it('refreshes the token once on 401 and retries with the new token', async () => {
    const { client, provider } = setup();
    server.reply(
      json(401, { errors: [{ code: 401, message: 'expired' }] }),
      json(200, { results: { eid: 'O', name: 'Org' } }),
    );
    await expect(client.forConnection(provider).verifyAccount()).resolves.toEqual({
      id: 'O',
      name: 'Org',
    });
    expect(provider.refreshes).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('fails with UNAUTHORIZED when the refreshed token is refused as well', async () => {
    const { client, provider } = setup();
    server.reply(json(401, {}), json(401, {}), json(200, {}));
    const error = (await client
      .forConnection(provider)
      .verifyAccount()
      .catch((e: unknown) => e)) as DestinationError;
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('even after a token refresh');
    expect(provider.refreshes).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('copes with a non-JSON error body and never repeats an email from it', async () => {
    const { client, provider } = setup();
    server.reply({
      status: 400,
      body: '<html>bad record jane.doe@example.com</html>',
      headers: { 'Content-Type': 'text/html' },
    });
    const error = (await client
      .forConnection(provider)
      .listAudiences('ADV1')
      .catch((e: unknown) => e)) as DestinationError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('HTTP 400');
    expect(error.message).not.toContain('jane.doe@example.com');
  });

  it('refuses a body over ROLLWORKS_MAX_REQUEST_BYTES before sending anything', async () => {
    const { client, provider, budget } = setup({ ROLLWORKS_MAX_REQUEST_BYTES: '2048' });
    server.reply(json(200, AUDIENCE));
    const emails = Array.from({ length: 100 }, (_, i) => `person${i}@example.com`);
    const error = (await client
      .forConnection(provider)
      .createAudience('ADV1', 'A', emails)
      .catch((e: unknown) => e)) as DestinationError;
    expect(error.code).toBe('REQUEST_TOO_LARGE');
    expect(error.message).toMatch(/more than the 2048 bytes allowed.*nothing was sent/);
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(budget.used).toBe(0);
  });

  it('does not repeat a create after a 5xx: the outcome is unknown', async () => {
    const { client, provider } = setup();
    server.reply(json(500, {}), json(200, AUDIENCE));
    const error = (await client
      .forConnection(provider)
      .createAudience('ADV1', 'A', ['a@example.com'])
      .catch((e: unknown) => e)) as DestinationError;
    expect(error.kind).toBe('outcomeUnknown');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a create refused with 429 (never processed)', async () => {
    const { client, provider } = setup();
    server.reply(json(429, {}), json(200, AUDIENCE));
    await client.forConnection(provider).createAudience('ADV1', 'A', ['a@example.com']);
    expect(server.requests).toHaveLength(2);
  });

  it('sends nothing once the daily budget is used up, and says when it resets', async () => {
    const { client, provider, budget } = setup({}, 1);
    server.always(json(429, {}));
    const error = (await client
      .forConnection(provider)
      .verifyAccount()
      .catch((e: unknown) => e)) as DestinationError;
    const sent = server.requests.length;
    server.always(json(200, {}));
    // one 429 was spent on the single budgeted request, then the client stopped instead of retrying
    expect(error.code).toBe('DAILY_BUDGET_EXHAUSTED');
    expect(error.resetsAt).toEqual(budget.resetsAt);
    expect(sent).toBe(1);
  });

  it('exchanges a code form-encoded with the client secret from the secret store', async () => {
    const { client, budget } = setup();
    server.reply(
      json(200, {
        access_token: 'at',
        refresh_token: 'rt',
        expires_in: 86400,
        token_type: 'bearer',
        scope: 'all',
      }),
    );
    const grant = await client.signIn.exchangeCode(
      'the-code',
      'http://127.0.0.1:7071/api/oauth/rollworks/callback',
    );
    expect(grant).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresInSeconds: 86400, scope: 'all' });
    const [request] = server.requests;
    expect(request.url.pathname).toBe('/auth/token');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'http://127.0.0.1:7071/api/oauth/rollworks/callback',
      client_id: 'local-client',
      client_secret: 'secret-from-store',
    });
    expect(budget.used).toBe(0);
  });

  it('maps invalid_grant on refresh', async () => {
    const { client } = setup();
    server.reply(json(400, { error: 'invalid_grant', error_description: 'refresh token already used' }));
    const error = (await client.signIn.refresh('old').catch((e: unknown) => e)) as DestinationError;
    expect(error.code).toBe('INVALID_GRANT');
    expect(error.message).toContain('refresh token already used');
  });

  it('builds the authorize URL', () => {
    const { client } = setup();
    const url = new URL(client.signIn.authorizeUrl('st', 'http://127.0.0.1:7071/cb'));
    expect(url.pathname).toBe('/auth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'local-client',
      redirect_uri: 'http://127.0.0.1:7071/cb',
      state: 'st',
      scope: 'all',
    });
  });
});
