import { randomUUID } from 'node:crypto';
import { getServices } from '../../shared/services';
import { createExportStore } from '../../shared/exports/exportStore';
import { connectionSecretNames } from '../../shared/model/connection';
import type { ExportConfig } from '../../shared/model/export';
import { signInAtRollWorks, startHarness, type Harness } from './support/harness';
import { startApiHost, type ApiHost } from './support/apiHost';
import { LOCAL_SECRETS_TABLE } from '../../shared/secrets/localSecretStore';
import { OAUTH_STATES_TABLE } from '../../shared/connections/oauthStates';
import { createRefreshLeases, TOKEN_LEASES_TABLE } from '../../shared/connections/refreshLease';
import { CONNECTIONS_TABLE } from '../../shared/connections/connectionRecords';

let harness: Harness;
let api: ApiHost;
const tokens: Partial<Record<'admin' | 'contributor', string>> = {};

beforeAll(async () => {
  harness = await startHarness();
  api = await startApiHost(harness);
  tokens.admin = await api.token({ roles: ['Exports.Admin'], sub: 'ada-oid', name: 'Ada Admin' });
  tokens.contributor = await api.token({ roles: ['Exports.Contributor'], sub: 'cody-oid', name: 'Cody' });
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await harness?.stop();
});

async function request(method: string, path: string, as: 'admin' | 'contributor' | null, body?: unknown) {
  const response = await fetch(`${api.origin}${path}`, {
    method,
    headers: {
      ...(as ? { Authorization: `Bearer ${tokens[as]}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await response.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const create = async (displayName: string, access = 'adminsAndContributors', extra: object = {}) => {
  const response = await request('POST', '/api/connections', 'admin', {
    displayName,
    access,
    dataPrivacyConsent: true,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.json;
};

describe('POST /api/connections', () => {
  it('creates a pending connection recording who consented and when', async () => {
    const response = await request('POST', '/api/connections', 'admin', {
      displayName: 'Marketing RollWorks',
      access: 'admins',
      dataPrivacyConsent: true,
      profileLimit: 50_000,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/connections/${response.json.id}`);
    expect(response.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'rollworks',
      displayName: 'Marketing RollWorks',
      access: 'admins',
      status: 'pendingAuthorization',
      consent: { by: { id: 'ada-oid', name: 'Ada Admin' }, at: expect.any(String) },
      rollworks: null,
      exportUser: null,
      profileLimit: 50_000,
      lastError: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it.each([
    ['without consent', { displayName: 'x', access: 'admins' }, 'dataPrivacyConsent', /personal data/],
    [
      'with consent false',
      { displayName: 'x', access: 'admins', dataPrivacyConsent: false },
      'dataPrivacyConsent',
      /compliance boundary/,
    ],
    [
      'with an unknown access',
      { displayName: 'x', access: 'everyone', dataPrivacyConsent: true },
      'access',
      /admins/,
    ],
    [
      'with a blank name',
      { displayName: '  ', access: 'admins', dataPrivacyConsent: true },
      'displayName',
      /./,
    ],
    [
      'with a profile limit under 100',
      { displayName: 'x', access: 'admins', dataPrivacyConsent: true, profileLimit: 99 },
      'profileLimit',
      /100/,
    ],
    [
      'with a profile limit over 250,000',
      { displayName: 'x', access: 'admins', dataPrivacyConsent: true, profileLimit: 250_001 },
      'profileLimit',
      /250000/,
    ],
    [
      'with an unknown field',
      { displayName: 'x', access: 'admins', dataPrivacyConsent: true, status: 'ready' },
      'status',
      /status/,
    ],
  ])('answers 422 naming the field %s', async (_case, body, field, message) => {
    const response = await request('POST', '/api/connections', 'admin', body);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const error = response.json.errors.find((e: { field: string }) => e.field === field);
    expect(error?.message).toMatch(message);
  });

  it('answers 413 for a body larger than the API reads', async () => {
    const body = { displayName: 'x'.repeat(1024 * 1024), access: 'admins', dataPrivacyConsent: true };
    const response = await request('POST', '/api/connections', 'admin', body);
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ code: 'BODY_TOO_LARGE', field: '(body)' });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await request('POST', '/api/connections', 'admin', '{not json');
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'INVALID_JSON' });
  });
});

describe('reading connections by role', () => {
  it('shows admins everything but secrets, contributors only shared connections in summary', async () => {
    const shared = await create('shared with contributors');
    const adminsOnly = await create('admins only', 'admins');

    const adminList = await request('GET', '/api/connections', 'admin');
    const ids = adminList.json.connections.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([shared.id, adminsOnly.id]));
    expect(adminList.json.connections.find((c: { id: string }) => c.id === shared.id)).toEqual(shared);

    const contributorList = await request('GET', '/api/connections', 'contributor');
    expect(contributorList.json.connections).toContainEqual({
      id: shared.id,
      displayName: 'shared with contributors',
      type: 'rollworks',
      status: 'pendingAuthorization',
    });
    expect(contributorList.json.connections.map((c: { id: string }) => c.id)).not.toContain(adminsOnly.id);
    for (const connection of contributorList.json.connections) {
      expect(Object.keys(connection).sort()).toEqual(['displayName', 'id', 'status', 'type']);
    }

    expect((await request('GET', `/api/connections/${shared.id}`, 'contributor')).json).toEqual({
      id: shared.id,
      displayName: 'shared with contributors',
      type: 'rollworks',
      status: 'pendingAuthorization',
    });
    expect((await request('GET', `/api/connections/${adminsOnly.id}`, 'contributor')).status).toBe(404);
    expect((await request('GET', `/api/connections/${adminsOnly.id}`, 'admin')).json).toEqual(adminsOnly);
    expect((await request('GET', `/api/connections/${randomUUID()}`, 'admin')).status).toBe(404);
    expect((await request('GET', '/api/connections/not-an-id', 'admin')).json).toMatchObject({
      status: 404,
      code: 'CONNECTION_NOT_FOUND',
      field: 'id',
    });
  });
});

describe('PATCH /api/connections/{id}', () => {
  it('changes display name, access and profile limit, and validates them', async () => {
    const connection = await create('before', 'admins', { profileLimit: 1000 });
    const patched = await request('PATCH', `/api/connections/${connection.id}`, 'admin', {
      displayName: 'after',
      access: 'adminsAndContributors',
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      displayName: 'after',
      access: 'adminsAndContributors',
      profileLimit: 1000,
    });
    const cleared = await request('PATCH', `/api/connections/${connection.id}`, 'admin', {
      profileLimit: null,
    });
    expect(cleared.json.profileLimit).toBeNull();

    expect((await request('PATCH', `/api/connections/${connection.id}`, 'admin', {})).status).toBe(422);
    const bad = await request('PATCH', `/api/connections/${connection.id}`, 'admin', { access: 'all' });
    expect(bad.json).toMatchObject({ status: 422, field: 'access' });
    expect(
      (await request('PATCH', `/api/connections/${randomUUID()}`, 'admin', { displayName: 'x' })).status,
    ).toBe(404);
  });
});

describe('POST /api/connections/{id}/export-user', () => {
  it("records the caller's object id and name", async () => {
    const connection = await create('export user');
    const response = await request('POST', `/api/connections/${connection.id}/export-user`, 'admin');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      exportUser: { id: 'ada-oid', name: 'Ada Admin' },
      status: 'pendingAuthorization',
    });
  });
});

describe('DELETE /api/connections/{id}', () => {
  const exportUsing = (connectionId: string, displayName: string): ExportConfig => ({
    id: randomUUID(),
    displayName,
    connectionId,
    advertiserId: 'HV6KQ2XN9TBR4MZJ7CWL5D',
    advertiserName: 'Contoso Outdoor US',
    emailField: 'email',
    segments: ['vip'],
    hashEmails: true,
    schedule: { enabled: true },
    status: 'active',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    createdBy: { id: 'ada-oid', name: 'Ada Admin' },
  });

  it('refuses with 409 listing the exports that use it, then detaches or removes them on request', async () => {
    const store = createExportStore(getServices().storage);
    const first = await create('in use (detach)');
    const kept = exportUsing(first.id, 'Weekly VIPs');
    await store.create(kept);

    const refused = await request('DELETE', `/api/connections/${first.id}`, 'admin');
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      code: 'CONNECTION_IN_USE',
      exports: [{ id: kept.id, displayName: 'Weekly VIPs' }],
    });
    expect(refused.json.detail).toContain('Weekly VIPs');
    expect((await request('GET', `/api/connections/${first.id}`, 'admin')).status).toBe(200);

    expect(
      (await request('DELETE', `/api/connections/${first.id}?exports=keep`, 'admin')).json,
    ).toMatchObject({
      status: 422,
      field: 'exports',
    });
    expect((await request('DELETE', `/api/connections/${first.id}?exports=detach`, 'admin')).status).toBe(
      204,
    );
    expect((await request('GET', `/api/connections/${first.id}`, 'admin')).status).toBe(404);
    expect((await store.get(kept.id))?.value).toMatchObject({ connectionId: null, status: 'inactive' });

    const second = await create('in use (remove)');
    const removed = exportUsing(second.id, 'Daily churn');
    await store.create(removed);
    expect((await request('DELETE', `/api/connections/${second.id}?exports=remove`, 'admin')).status).toBe(
      204,
    );
    expect(await store.get(removed.id)).toBeNull();
  });

  it("removes the connection's tokens from the secret store", async () => {
    const connection = await create('authorized then deleted');
    const authorize = await request('POST', `/api/connections/${connection.id}/authorize`, 'admin');
    const redirect = await signInAtRollWorks(authorize.json.authorizeUrl);
    const page = await fetch(redirect);
    expect(page.status).toBe(200);
    const secretName = connectionSecretNames(connection.id).tokens;
    expect(await getServices().secrets.get(secretName)).toBeDefined();

    expect((await request('DELETE', `/api/connections/${connection.id}`, 'admin')).status).toBe(204);
    expect(await getServices().secrets.get(secretName)).toBeUndefined();
  });
});

describe('DELETE /api/connections/{id} leaves nothing of the connection behind', () => {
  /** Every row of the table that names the connection anywhere (keys or values). */
  async function rowsNaming(table: string, connectionId: string): Promise<string[]> {
    const found: string[] = [];
    for await (const entity of getServices().storage.table(table).listEntities()) {
      const text = JSON.stringify(entity);
      if (text.includes(connectionId)) found.push(`${table}/${entity.partitionKey}/${entity.rowKey}`);
    }
    return found;
  }

  it('deletes its tokens, pending OAuth states, refresh lease and suppression list', async () => {
    const connection = await create('fully used then deleted');
    const authorize = await request('POST', `/api/connections/${connection.id}/authorize`, 'admin');
    expect((await fetch(await signInAtRollWorks(authorize.json.authorizeUrl))).status).toBe(200);
    // a sign-in started and never finished, and a token refresh in flight on another instance
    expect((await request('POST', `/api/connections/${connection.id}/authorize`, 'admin')).status).toBe(200);
    await createRefreshLeases(getServices().storage.table(TOKEN_LEASES_TABLE), getServices().clock, {
      leaseSeconds: 60,
      waitTimeoutMs: 1_000,
    }).acquire(connection.id);
    const suppressions = await fetch(`${api.origin}/api/connections/${connection.id}/suppressions`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'text/plain' },
      body: 'opted-out@example.com\n',
    });
    expect(suppressions.status).toBe(200);
    const suppressionBlobs = async () => {
      const names: string[] = [];
      for await (const blob of getServices()
        .storage.stateContainer()
        .listBlobsFlat({ prefix: 'suppressions/' }))
        if (blob.name.includes(connection.id)) names.push(blob.name);
      return names;
    };
    expect(await suppressionBlobs()).toHaveLength(1);
    const tables = [LOCAL_SECRETS_TABLE, OAUTH_STATES_TABLE, TOKEN_LEASES_TABLE, CONNECTIONS_TABLE];
    const before = (await Promise.all(tables.map((t) => rowsNaming(t, connection.id)))).flat();
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(await getServices().secrets.get(connectionSecretNames(connection.id).tokens)).toBeDefined();

    expect((await request('DELETE', `/api/connections/${connection.id}`, 'admin')).status).toBe(204);
    expect((await Promise.all(tables.map((t) => rowsNaming(t, connection.id)))).flat()).toEqual([]);
    expect(await getServices().secrets.get(connectionSecretNames(connection.id).tokens)).toBeUndefined();
    expect(await suppressionBlobs()).toEqual([]);
  });
});

describe('GET /api/oauth/rollworks/callback', () => {
  it('shows a small escaped page naming the connection, never the code, with no caching', async () => {
    const connection = await create('<script>alert("x")</script> & co');
    const authorize = await request('POST', `/api/connections/${connection.id}/authorize`, 'admin');
    expect(authorize.status).toBe(200);
    expect(authorize.headers.get('cache-control')).toBe('no-store');
    const redirect = await signInAtRollWorks(authorize.json.authorizeUrl);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${api.origin}/api/oauth/rollworks/callback`);

    const response = await fetch(redirect);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('<script>');
    expect(html).toContain('authorized');
    expect(html).not.toContain(redirect.searchParams.get('code')!);
    const stored = await harness.storedTokens(connection.id);
    expect(html).not.toContain(stored!.accessToken);

    const replay = await fetch(redirect);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
  });

  it('keeps tokens and codes out of every table and every log line of the host', async () => {
    const connection = await create('log scan');
    const authorize = await request('POST', `/api/connections/${connection.id}/authorize`, 'admin');
    const redirect = await signInAtRollWorks(authorize.json.authorizeUrl);
    expect((await fetch(redirect)).status).toBe(200);
    await getServices().connections.tokenProvider(connection.id).refresh();
    const stored = await harness.storedTokens(connection.id);
    const tables = await harness.allTableText();
    const logs = api.hostLog.join('\n');
    expect(logs).toContain('connection authorized'); // the scan reads the lines the functions wrote
    for (const secret of [stored!.accessToken, stored!.refreshToken, redirect.searchParams.get('code')!]) {
      expect(tables).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
