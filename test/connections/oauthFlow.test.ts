import { ADMIN, callbackQuery, signInAtRollWorks, startHarness, type Harness } from './support/harness';
import { DEMO_ORGANIZATION } from '../../dev/simulator';
import { renderCallbackPage } from '../../shared/connections/callbackPage';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
}, 120_000);
afterAll(async () => {
  await harness?.stop();
});

const newConnection = (displayName = 'RollWorks EU') =>
  harness
    .instance()
    .connections.create({ displayName, access: 'adminsAndContributors', dataPrivacyConsent: true }, ADMIN);

describe('RollWorks sign-in (authorization code flow against the simulator)', () => {
  it('creates, authorizes and readies a connection, keeping the tokens only in the secret store', async () => {
    const { connections } = harness.instance();
    const created = await newConnection();
    expect(created).toMatchObject({
      type: 'rollworks',
      status: 'pendingAuthorization',
      consent: { by: ADMIN },
      rollworks: null,
      exportUser: null,
      lastError: null,
    });
    expect(Date.parse(created.consent.at)).not.toBeNaN();

    const { authorizeUrl, expiresAt } = await connections.startAuthorization(created.id, ADMIN);
    const url = new URL(authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${harness.simulator.url}/auth/authorize`);
    expect(url.searchParams.get('client_id')).toBe('local-client');
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:7071/api/oauth/rollworks/callback');
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(40);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(590_000);

    const redirect = await signInAtRollWorks(authorizeUrl);
    const outcome = await connections.completeAuthorization(callbackQuery(redirect));
    expect(outcome).toEqual({
      ok: true,
      connection: { id: created.id, displayName: 'RollWorks EU', status: 'authorized' },
      organizationName: DEMO_ORGANIZATION.name,
    });
    const authorized = await connections.get(created.id);
    expect(authorized).toMatchObject({
      status: 'authorized',
      rollworks: { organizationId: DEMO_ORGANIZATION.eid, organizationName: DEMO_ORGANIZATION.name },
    });

    const tokens = await harness.storedTokens(created.id);
    expect(tokens?.accessToken).toBeTruthy();
    const organization = await harness
      .instance()
      .services.destinations.get('rollworks')
      .forConnection(connections.tokenProvider(created.id))
      .verifyAccount();
    expect(organization.id).toBe(DEMO_ORGANIZATION.eid);

    const ready = await connections.setExportUser(created.id, { id: 'bob-oid', name: 'Bob' });
    expect(ready).toMatchObject({ status: 'ready', exportUser: { id: 'bob-oid', name: 'Bob' } });

    // Tokens and the code appear nowhere but the secret store: not in any table, log line or the page.
    const code = redirect.searchParams.get('code')!;
    const state = redirect.searchParams.get('state')!;
    const page = renderCallbackPage(outcome).html;
    const tables = await harness.allTableText();
    const logs = harness.logLines.join('\n');
    expect(logs).toContain('connection authorized');
    for (const secret of [tokens!.accessToken, tokens!.refreshToken, code, state]) {
      expect(tables).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(page).not.toContain(secret);
    }
  });

  it('an export user added before sign-in makes the connection ready on authorization', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('early export user');
    await expect(connections.setExportUser(created.id, ADMIN)).resolves.toMatchObject({
      status: 'pendingAuthorization',
    });
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const outcome = await connections.completeAuthorization(
      callbackQuery(await signInAtRollWorks(authorizeUrl)),
    );
    expect(outcome).toMatchObject({ ok: true, connection: { status: 'ready' } });
  });
});

describe('OAuth state abuse', () => {
  it('refuses a callback without state or with an unknown state, storing nothing', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('unknown state');
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const redirect = await signInAtRollWorks(authorizeUrl);
    const code = redirect.searchParams.get('code')!;

    await expect(connections.completeAuthorization({ code })).resolves.toMatchObject({
      ok: false,
      code: 'STATE_MISSING',
    });
    await expect(
      connections.completeAuthorization({ code, state: 'forged-state-value' }),
    ).resolves.toMatchObject({
      ok: false,
      code: 'STATE_UNKNOWN',
    });
    expect(await harness.storedTokens(created.id)).toBeUndefined();
    expect(await connections.get(created.id)).toMatchObject({
      status: 'pendingAuthorization',
      lastError: null,
    });
  });

  it('refuses a replayed state, also when two callbacks race', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('replay');
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const query = callbackQuery(await signInAtRollWorks(authorizeUrl));
    const other = harness.instance().connections;
    const outcomes = await Promise.all([
      connections.completeAuthorization(query),
      other.completeAuthorization(query),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ code: 'STATE_ALREADY_USED' });
    await expect(connections.completeAuthorization(query)).resolves.toMatchObject({
      ok: false,
      code: 'STATE_ALREADY_USED',
    });
  });

  it('refuses an expired state and leaves the connection pending without tokens', async () => {
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const { connections } = harness.instance({ clock });
    const created = await newConnection('expired');
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const query = callbackQuery(await signInAtRollWorks(authorizeUrl));
    offsetMs = (harness.config.OAUTH_STATE_TTL_SECONDS + 1) * 1000;
    await expect(connections.completeAuthorization(query)).resolves.toMatchObject({
      ok: false,
      code: 'STATE_EXPIRED',
    });
    expect(await harness.storedTokens(created.id)).toBeUndefined();
    expect(await connections.get(created.id)).toMatchObject({ status: 'pendingAuthorization' });
    offsetMs = 0; // and the state is spent: it does not come back to life
    await expect(connections.completeAuthorization(query)).resolves.toMatchObject({
      ok: false,
      code: 'STATE_ALREADY_USED',
    });
  });

  it('a new authorize ends the older links of that connection: only the newest signs in', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('superseded');
    const first = await connections.startAuthorization(created.id, ADMIN);
    const firstQuery = callbackQuery(await signInAtRollWorks(first.authorizeUrl));
    const second = await connections.startAuthorization(created.id, ADMIN);
    const other = await newConnection('untouched');
    const otherStart = await connections.startAuthorization(other.id, ADMIN);

    await expect(connections.completeAuthorization(firstQuery)).resolves.toMatchObject({
      ok: false,
      code: 'STATE_SUPERSEDED',
      message: expect.stringMatching(/newer sign-in/),
    });
    expect(await harness.storedTokens(created.id)).toBeUndefined();
    const secondQuery = callbackQuery(await signInAtRollWorks(second.authorizeUrl));
    await expect(connections.completeAuthorization(secondQuery)).resolves.toMatchObject({ ok: true });
    // another connection's pending link is not ended by it
    const otherQuery = callbackQuery(await signInAtRollWorks(otherStart.authorizeUrl));
    await expect(connections.completeAuthorization(otherQuery)).resolves.toMatchObject({ ok: true });
  });

  it('binds a state to its connection: it authorizes that one only, and nothing once it is deleted', async () => {
    const { connections } = harness.instance();
    const first = await newConnection('first');
    const second = await newConnection('second');
    const forFirst = await connections.startAuthorization(first.id, ADMIN);
    const forSecond = await connections.startAuthorization(second.id, ADMIN);

    // The second admin flow's code arrives with the first flow's state: it is the first connection's state.
    const secondRedirect = await signInAtRollWorks(forSecond.authorizeUrl);
    const firstState = new URL(forFirst.authorizeUrl).searchParams.get('state')!;
    const outcome = await connections.completeAuthorization({
      code: secondRedirect.searchParams.get('code')!,
      state: firstState,
    });
    expect(outcome).toMatchObject({ ok: true, connection: { id: first.id } });
    expect(await connections.get(second.id)).toMatchObject({ status: 'pendingAuthorization' });
    expect(await harness.storedTokens(second.id)).toBeUndefined();

    const third = await newConnection('deleted before callback');
    const forThird = await connections.startAuthorization(third.id, ADMIN);
    const thirdQuery = callbackQuery(await signInAtRollWorks(forThird.authorizeUrl));
    await connections.remove(third.id);
    // Deleting the connection deleted its pending state too: the callback knows neither.
    await expect(connections.completeAuthorization(thirdQuery)).resolves.toMatchObject({
      ok: false,
      code: 'STATE_UNKNOWN',
    });
    expect(await harness.storedTokens(third.id)).toBeUndefined();
  });

  it('Deny leaves the connection pending with lastError, and the page explains it', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('denied');
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const redirect = await signInAtRollWorks(authorizeUrl, 'deny');
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    const outcome = await connections.completeAuthorization(callbackQuery(redirect));
    expect(outcome).toMatchObject({
      ok: false,
      code: 'AUTHORIZATION_DENIED',
      connection: { id: created.id },
    });
    const page = renderCallbackPage(outcome);
    expect(page.status).toBe(400);
    expect(page.html).toContain('pressed Deny');
    expect(await connections.get(created.id)).toMatchObject({
      status: 'pendingAuthorization',
      lastError: { code: 'AUTHORIZATION_DENIED' },
    });
    expect(await harness.storedTokens(created.id)).toBeUndefined();
  });

  it('a code RollWorks refuses is reported and stores nothing', async () => {
    const { connections } = harness.instance();
    const created = await newConnection('bad code');
    const { authorizeUrl } = await connections.startAuthorization(created.id, ADMIN);
    const redirect = await signInAtRollWorks(authorizeUrl);
    const outcome = await connections.completeAuthorization({
      state: redirect.searchParams.get('state')!,
      code: 'not-a-code-rollworks-issued',
    });
    expect(outcome).toMatchObject({ ok: false, code: 'CODE_EXCHANGE_FAILED' });
    expect(await connections.get(created.id)).toMatchObject({
      status: 'pendingAuthorization',
      lastError: { code: 'CODE_EXCHANGE_FAILED' },
    });
    expect(await harness.storedTokens(created.id)).toBeUndefined();
  });
});
