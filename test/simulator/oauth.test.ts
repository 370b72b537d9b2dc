import { DEFAULT_CLIENT, startSimulator, type RunningSimulator } from '../../dev/simulator';
import {
  REDIRECT_URI,
  authorizationCode,
  callApi,
  postToken,
  signInForTokens,
  submitSignIn,
} from './simulatorClient';

let clock = new Date('2026-03-01T10:00:00Z');
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({
    now: () => clock,
    clients: [
      DEFAULT_CLIENT,
      {
        clientId: 'registered-client',
        clientSecret: 'registered-secret',
        redirectUris: ['https://app.example/cb'],
      },
    ],
  });
});
afterAll(() => sim.stop());
beforeEach(() => {
  clock = new Date('2026-03-01T10:00:00Z');
  sim.state.reset();
});

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL('/auth/authorize', sim.url);
  const defaults = {
    response_type: 'code',
    client_id: DEFAULT_CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'xyz',
    scope: 'all',
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(key, value);
  return url.toString();
}

describe('GET /auth/authorize', () => {
  it('shows a sign-in form with labelled username and password and Allow/Deny buttons', async () => {
    const response = await fetch(authorizeUrl({}));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/<label for="password">/);
    expect(html).toMatch(/value="allow"/);
    expect(html).toMatch(/value="deny"/);
  });

  it('answers 400 with a page, never a redirect, for an unknown client', async () => {
    const response = await fetch(authorizeUrl({ client_id: 'nobody' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Unknown client_id');
  });

  it('answers 400 with a page for a redirect URI the client did not register', async () => {
    const unregistered = await fetch(
      authorizeUrl({ client_id: 'registered-client', redirect_uri: 'https://evil.example/cb' }),
      { redirect: 'manual' },
    );
    expect(unregistered.status).toBe(400);
    expect(unregistered.headers.get('location')).toBeNull();
    const nonLoopback = await fetch(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }), {
      redirect: 'manual',
    });
    expect(nonLoopback.status).toBe(400);
    const registered = await fetch(
      authorizeUrl({ client_id: 'registered-client', redirect_uri: 'https://app.example/cb' }),
    );
    expect(registered.status).toBe(200);
  });

  it('redirects unsupported response types back with an error', async () => {
    const response = await fetch(authorizeUrl({ response_type: 'token' }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('xyz');
  });
});

describe('sign-in form', () => {
  it('redirects Allow with a code and the state', async () => {
    const { status, location } = await submitSignIn(sim, { state: 'opaque-state' });
    expect(status).toBe(302);
    expect(`${location!.origin}${location!.pathname}`).toBe(REDIRECT_URI);
    expect(location!.searchParams.get('code')).toMatch(/.{20,}/);
    expect(location!.searchParams.get('state')).toBe('opaque-state');
  });

  it('redirects Deny with error=access_denied and the state, without a code', async () => {
    const { status, location } = await submitSignIn(sim, { decision: 'deny', password: '' });
    expect(status).toBe(302);
    expect(location!.searchParams.get('error')).toBe('access_denied');
    expect(location!.searchParams.get('state')).toBe('state-123');
    expect(location!.searchParams.has('code')).toBe(false);
  });

  it('shows a clear error and no redirect on a wrong password', async () => {
    const { status, location, text } = await submitSignIn(sim, { password: 'wrong' });
    expect(status).toBe(401);
    expect(location).toBeNull();
    expect(text).toContain('username or password is incorrect');
  });
});

describe('POST /auth/token', () => {
  it('exchanges a code for a bearer token pair', async () => {
    const code = await authorizationCode(sim);
    const { status, body } = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 86400,
      token_type: 'bearer',
      scope: 'all',
    });
  });

  it('accepts a code only once', async () => {
    const code = await authorizationCode(sim);
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };
    expect((await postToken(sim, exchange)).status).toBe(200);
    const reuse = await postToken(sim, exchange);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
  });

  it('rejects a code after 10 minutes', async () => {
    const code = await authorizationCode(sim);
    clock = new Date(clock.getTime() + 10 * 60 * 1000 + 1);
    const { status, body } = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a wrong client secret with 401 invalid_client', async () => {
    const code = await authorizationCode(sim);
    const { status, body } = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_secret: 'not-the-secret',
    });
    expect(status).toBe(401);
    expect(body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('rejects a redirect URI different from the authorization request', async () => {
    const code = await authorizationCode(sim);
    const { status, body } = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9999/other',
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects a code issued to another client', async () => {
    const code = await authorizationCode(sim);
    const { status, body } = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: 'registered-client',
      client_secret: 'registered-secret',
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rotates refresh tokens and answers invalid_grant when an old one is reused', async () => {
    const first = await signInForTokens(sim);
    const refreshed = await postToken(sim, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.access_token);

    const reuse = await postToken(sim, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    const next = await postToken(sim, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token as string,
    });
    expect(next.status).toBe(200);
  });

  it('expires refresh tokens after one year', async () => {
    const tokens = await signInForTokens(sim);
    clock = new Date(clock.getTime() + 366 * 24 * 60 * 60 * 1000);
    const { status, body } = await postToken(sim, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('rejects unknown grant types and non-form bodies', async () => {
    expect((await postToken(sim, { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    const json = await fetch(`${sim.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    expect(json.status).toBe(400);
  });
});

describe('access token lifetime', () => {
  it('is refused with 401 after it expires, and a refreshed one works', async () => {
    const tokens = await signInForTokens(sim);
    expect(
      (await callApi(sim, 'GET', '/api/v1/organization/get', { token: tokens.access_token })).status,
    ).toBe(200);

    clock = new Date(clock.getTime() + 86_400 * 1000);
    const expired = await callApi(sim, 'GET', '/api/v1/organization/get', { token: tokens.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]).toEqual({ code: 401, message: expect.stringContaining('expired') });

    const refreshed = await postToken(sim, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    const retried = await callApi(sim, 'GET', '/api/v1/organization/get', {
      token: refreshed.body.access_token as string,
    });
    expect(retried.status).toBe(200);
  });

  it('uses the configured lifetime', async () => {
    const shortLived = await startSimulator({ accessTokenTtlSeconds: 60 });
    try {
      const tokens = await signInForTokens(shortLived);
      expect(tokens.expires_in).toBe(60);
    } finally {
      await shortLived.stop();
    }
  });
});
