import { createHash } from 'node:crypto';
import { startHarness, type Harness } from '../connections/support/harness';
import { startApiHost, type ApiHost } from '../connections/support/apiHost';
import { createSuppressionStore, suppressionBlobName } from '../../shared/suppressions/suppressionStore';
import { DigestList } from '../../shared/suppressions/digestList';

/** The suppression list API over real HTTP on the local Functions host, stored in Azurite. */
jest.setTimeout(120_000);

const MAX_BYTES = 2_000_000;
let harness: Harness;
let api: ApiHost;
const tokens: Record<'admin' | 'contributor' | 'viewer', string> = { admin: '', contributor: '', viewer: '' };
let connectionId: string;

beforeAll(async () => {
  harness = await startHarness();
  api = await startApiHost({
    ...harness,
    settings: { ...harness.settings, SUPPRESSION_MAX_BYTES: String(MAX_BYTES) },
  });
  tokens.admin = await api.token({ roles: ['Exports.Admin'], sub: 'ada-oid', name: 'Ada Admin' });
  tokens.contributor = await api.token({ roles: ['Exports.Contributor'], sub: 'cody-oid', name: 'Cody' });
  tokens.viewer = await api.token({ roles: ['Exports.Viewer'], sub: 'vic-oid', name: 'Vic' });
  const created = await call('POST', '/api/connections', 'admin', {
    type: 'application/json',
    body: JSON.stringify({
      displayName: 'Suppressions',
      access: 'adminsAndContributors',
      dataPrivacyConsent: true,
    }),
  });
  connectionId = created.json.id;
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await harness?.stop();
});

async function call(
  method: string,
  path: string,
  as: keyof typeof tokens,
  options: { type?: string; body?: string | Uint8Array } = {},
) {
  const response = await fetch(`${api.origin}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${tokens[as]}`,
      ...(options.type ? { 'Content-Type': options.type } : {}),
    },
    body: options.body,
  });
  const text = await response.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

const path = () => `/api/connections/${connectionId}/suppressions`;
const md5 = (value: string) => createHash('md5').update(value).digest();
const put = (body: string, type = 'text/plain', query = '') =>
  call('PUT', `${path()}${query}`, 'admin', { type, body });

async function storedList(): Promise<DigestList> {
  return createSuppressionStore(() => harness.instance().services.storage.stateContainer()).load(
    connectionId,
    16,
  );
}

it('replaces the list from text: normalized, hashed, de-duplicated, digests kept; reasons without values', async () => {
  const digest = md5('dora@example.com').toString('hex');
  const answer = await put(
    '\uFEFFAda@Example.com\r\n  ada@example.com \n\nbob@example.com\nnot-an-email\n' +
      `${digest.toUpperCase()}\nx@nodot\ncarl@example.com`,
  );
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({
    count: 4,
    accepted: 4,
    duplicates: 1,
    rejected: 2,
    rejections: [
      { line: 5, reason: 'no @ in email' },
      { line: 7, reason: 'domain is not a valid host name' },
    ],
    updatedBy: { id: 'ada-oid', name: 'Ada Admin' },
  });
  expect(answer.text).not.toMatch(/not-an-email|nodot/);
  const list = await storedList();
  expect(list.size).toBe(4);
  for (const email of ['ada@example.com', 'bob@example.com', 'carl@example.com', 'dora@example.com'])
    expect(list.has(md5(email))).toBe(true);
  expect(list.has(md5('eve@example.com'))).toBe(false);
  // only digests are stored, sorted
  const blob = await harness
    .instance()
    .services.storage.stateContainer()
    .getBlockBlobClient(suppressionBlobName(connectionId))
    .downloadToBuffer();
  expect(blob.length).toBe(64);
  expect(blob.toString('latin1')).not.toMatch(/example/);

  const info = await call('GET', path(), 'admin');
  expect(info.json).toEqual({
    count: 4,
    updatedAt: answer.json.updatedAt,
    updatedBy: { id: 'ada-oid', name: 'Ada Admin' },
  });
});

it('reads a CSV column by name, or the only column; several columns without `column` is 422 naming it', async () => {
  const csv = 'Id,Email,Note\n1,"Eve@Example.com","x, y"\n2,fred@example.com,z\n3,only-two\n';
  const answer = await put(csv, 'text/csv; charset=utf-8', '?column=Email');
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({
    count: 2,
    rejected: 1,
    rejections: [{ line: 4, reason: 'expected 3 fields, found 2' }],
  });
  expect((await storedList()).has(md5('eve@example.com'))).toBe(true);

  expect((await put('Email\ngina@example.com\n', 'text/csv')).json).toMatchObject({ count: 1 });
  const several = await put(csv, 'text/csv');
  expect(several.status).toBe(422);
  expect(several.contentType).toMatch(/^application\/problem\+json/);
  expect(several.json).toMatchObject({ code: 'COLUMN_REQUIRED', field: 'column' });
  expect((await put(csv, 'text/csv', '?column=Mail')).json).toMatchObject({ field: 'column' });
  // a refused upload leaves the list as it was
  expect((await call('GET', path(), 'admin')).json.count).toBe(1);
});

it('refuses wrong media types (415), empty or valueless bodies (422), oversized ones (413)', async () => {
  const json = await put('{"a":1}', 'application/json');
  expect(json.status).toBe(415);
  expect(json.contentType).toMatch(/^application\/problem\+json/);
  expect(json.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' });
  expect((await put('a@example.com', 'text/plain; charset=latin1')).status).toBe(415);
  expect((await put('')).json).toMatchObject({ code: 'BODY_EMPTY' });
  expect((await put('\n \n')).json).toMatchObject({ code: 'SUPPRESSIONS_EMPTY' });
  expect((await put('nope\nnada')).json).toMatchObject({ code: 'SUPPRESSIONS_NONE_VALID', field: '(body)' });
  const big = await put('a@example.com\n'.repeat(Math.ceil(MAX_BYTES / 14) + 10));
  expect(big.status).toBe(413);
  expect(big.contentType).toMatch(/^application\/problem\+json/);
  expect((await call('GET', path(), 'admin')).json.count).toBe(1);
});

it('uploads 50,000 lines streamed and answers the counts', async () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `person${i}@example.com`);
  const answer = await put(`${lines.join('\n')}\n${lines.slice(0, 10).join('\n')}`);
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({ count: 50_000, duplicates: 10, rejected: 0 });
  const list = await storedList();
  expect(list.has(md5('person49999@example.com'))).toBe(true);
});

it('is for admins only; an unknown connection is 404; DELETE clears it', async () => {
  for (const as of ['contributor', 'viewer'] as const) {
    expect((await call('GET', path(), as)).status).toBe(403);
    expect((await call('PUT', path(), as, { type: 'text/plain', body: 'a@example.com' })).status).toBe(403);
    expect((await call('DELETE', path(), as)).status).toBe(403);
  }
  const missing = '/api/connections/00000000-0000-4000-8000-000000000000/suppressions';
  expect((await call('GET', missing, 'admin')).status).toBe(404);
  expect((await call('PUT', missing, 'admin', { type: 'text/plain', body: 'a@example.com' })).status).toBe(
    404,
  );

  expect((await call('DELETE', path(), 'admin')).status).toBe(204);
  expect((await call('GET', path(), 'admin')).json).toEqual({ count: 0, updatedAt: null, updatedBy: null });
  expect((await storedList()).size).toBe(0);
  expect((await call('DELETE', path(), 'admin')).status).toBe(204);
  expect(api.hostLog.join('\n')).not.toMatch(/@example\.com|[0-9a-f]{32}/);
});
