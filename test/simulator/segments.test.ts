import { createHash } from 'node:crypto';
import { DEMO_ADVERTISABLES, startSimulator, type RunningSimulator } from '../../dev/simulator';
import { callApi, plainEmails } from './simulatorClient';

const ADVERTISER = DEMO_ADVERTISABLES[0].eid;
const md5 = (email: string) => createHash('md5').update(email.trim().toLowerCase()).digest('hex');

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ maxRequestBytes: 1024 * 1024, dailyQuota: 10_000 });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.state.reset();
  token = sim.state.issueTokens().accessToken;
});

function create(body: unknown) {
  return callApi(sim, 'POST', '/audience/v1/segments', { token, body });
}

function crm(name: string, data: { email: string }[], advertiserId = ADVERTISER) {
  return { advertiser_id: advertiserId, name, type: 'crm', data };
}

describe('create', () => {
  it('creates a CRM audience and reports its unique member count', async () => {
    const data = [...plainEmails(120), ...plainEmails(5)];
    const response = await create(crm('Loyal customers', data));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      result: 'success',
      segment: {
        segment_id: expect.stringMatching(/^[A-Z0-9]{22}$/),
        type: 'crm',
        name: 'Loyal customers',
        emails: 120,
      },
    });
    const stored = sim.state.audiences.get(response.body.segment!.segment_id)!;
    expect(stored.advertiserId).toBe(ADVERTISER);
    expect(stored.members.has('person.7@example.com')).toBe(true);
  });

  it('allows duplicate names: every create makes a new audience', async () => {
    const first = await create(crm('Same name', plainEmails(100)));
    const second = await create(crm('Same name', plainEmails(100)));
    expect(first.body.segment!.segment_id).not.toBe(second.body.segment!.segment_id);
    const list = await callApi(sim, 'GET', `/audience/v1/segments?advertiser_id=${ADVERTISER}&type=crm`, {
      token,
    });
    expect(list.body.segments!.filter((s) => s.name === 'Same name')).toHaveLength(2);
  });

  it('refuses 99 unique emails, even when 100 records are sent', async () => {
    const data = [...plainEmails(99), { email: 'person.0@example.com' }];
    const response = await create(crm('Too small', data));
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ code: 400, field: 'data' });
    expect(response.body.errors?.[0].message).toContain('at least 100 unique');
    expect(sim.state.audiences.size).toBe(0);
  });

  it('counts emails case-insensitively when checking uniqueness', async () => {
    const data = [...plainEmails(99), { email: 'PERSON.0@EXAMPLE.COM' }];
    expect((await create(crm('Case', data))).status).toBe(400);
  });

  it.each([
    'not-an-email',
    'Name <a@example.com>',
    ' padded@example.com',
    'a@b',
    'two@@example.com',
    'x'.repeat(31),
  ])('refuses %j and names the first bad index', async (bad) => {
    const data = plainEmails(150);
    data[42] = { email: bad };
    data[77] = { email: 'also bad' };
    const response = await create(crm('Bad email', data));
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ code: 400, field: 'data[42].email' });
    expect(response.body.errors?.[0].message).toContain('42');
  });

  it('refuses a record without an email string', async () => {
    const data: unknown[] = plainEmails(150);
    data[3] = { mail: 'person@example.com' };
    const response = await create({ ...crm('x', []), data });
    expect(response.body.errors?.[0].field).toBe('data[3].email');
  });

  it('accepts 32-hex MD5 digests of lower-cased, trimmed addresses', async () => {
    const data = plainEmails(100).map((r) => ({ email: md5(r.email) }));
    const response = await create(crm('Hashed', data));
    expect(response.status).toBe(200);
    expect(response.body.segment!.emails).toBe(100);
  });

  it('refuses SHA-256 digests', async () => {
    const data = plainEmails(100).map((r) => ({ email: createHash('sha256').update(r.email).digest('hex') }));
    const response = await create(crm('Sha', data));
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].field).toBe('data[0].email');
  });

  it('requires advertiser_id, name, type "crm" and a data array', async () => {
    const full = crm('ok', plainEmails(100));
    const cases: [Record<string, unknown>, string][] = [
      [{ ...full, advertiser_id: undefined }, 'advertiser_id'],
      [{ ...full, name: '' }, 'name'],
      [{ ...full, type: 'pixel' }, 'type'],
      [{ ...full, data: 'emails' }, 'data'],
    ];
    for (const [body, field] of cases) {
      const response = await create(body);
      expect({ field, status: response.status, reported: response.body.errors?.[0].field }).toEqual({
        field,
        status: 400,
        reported: field,
      });
    }
  });

  it('requires a JSON body', async () => {
    const notJson = await callApi(sim, 'POST', '/audience/v1/segments', {
      token,
      rawBody: '{"advertiser_id":',
    });
    expect(notJson.status).toBe(400);
    const wrongType = await callApi(sim, 'POST', '/audience/v1/segments', {
      token,
      rawBody: 'advertiser_id=x',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(wrongType.status).toBe(400);
    const empty = await callApi(sim, 'POST', '/audience/v1/segments', { token });
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0].code).toBe(400);
  });

  it('answers 413 for a body over maxRequestBytes and stores nothing', async () => {
    const data = plainEmails(30_000); // about 1.2 MB against a 1 MiB limit
    const response = await create(crm('Too big', data));
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0].code).toBe(413);
    expect(sim.state.audiences.size).toBe(0);
  });
});

describe('replace, get, list, delete', () => {
  async function createdId(name = 'Audience'): Promise<string> {
    return (await create(crm(name, plainEmails(100, 'first')))).body.segment!.segment_id;
  }

  it('replaces the whole member list and optionally the name', async () => {
    const id = await createdId();
    const response = await callApi(sim, 'POST', `/audience/v1/segments/${id}`, {
      token,
      body: { name: 'Renamed', data: plainEmails(130, 'second') },
    });
    expect(response.status).toBe(200);
    expect(response.body.segment).toEqual({ segment_id: id, type: 'crm', name: 'Renamed', emails: 130 });
    const members = sim.state.audiences.get(id)!.members;
    expect(members.has('first.1@example.com')).toBe(false);
    expect(members.has('second.1@example.com')).toBe(true);

    const keepName = await callApi(sim, 'POST', `/audience/v1/segments/${id}`, {
      token,
      body: { data: plainEmails(100, 'third') },
    });
    expect(keepName.body.segment).toMatchObject({ name: 'Renamed', emails: 100 });
  });

  it('applies the same validation on replace and leaves the members untouched on error', async () => {
    const id = await createdId();
    const tooFew = await callApi(sim, 'POST', `/audience/v1/segments/${id}`, {
      token,
      body: { data: plainEmails(99, 'second') },
    });
    expect(tooFew.status).toBe(400);
    expect(sim.state.audiences.get(id)!.members.has('first.0@example.com')).toBe(true);
  });

  it('reads one audience', async () => {
    const id = await createdId('Readable');
    const response = await callApi(sim, 'GET', `/audience/v1/segments/${id}`, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      result: 'success',
      segment: { segment_id: id, type: 'crm', name: 'Readable', emails: 100 },
    });
  });

  it('lists the CRM audiences of one advertiser only', async () => {
    const a = await createdId('A');
    await create(crm('Other advertiser', plainEmails(100), DEMO_ADVERTISABLES[1].eid));
    const response = await callApi(sim, 'GET', `/audience/v1/segments?advertiser_id=${ADVERTISER}&type=crm`, {
      token,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ segments: [{ segment_id: a, type: 'crm', name: 'A', emails: 100 }] });
    const missing = await callApi(sim, 'GET', '/audience/v1/segments?type=crm', { token });
    expect(missing.status).toBe(400);
  });

  it('deletes an audience: it disappears from get and list and stays visible to admin as deleted', async () => {
    const id = await createdId();
    expect((await callApi(sim, 'DELETE', `/audience/v1/segments/${id}`, { token })).status).toBe(200);
    expect((await callApi(sim, 'GET', `/audience/v1/segments/${id}`, { token })).status).toBe(404);
    const list = await callApi(sim, 'GET', `/audience/v1/segments?advertiser_id=${ADVERTISER}`, { token });
    expect(list.body.segments).toEqual([]);
    expect(sim.state.audiences.get(id)!.deleted).toBe(true);
    expect((await callApi(sim, 'DELETE', `/audience/v1/segments/${id}`, { token })).status).toBe(404);
  });

  it('answers 404 for an unknown segment id', async () => {
    const response = await callApi(sim, 'POST', '/audience/v1/segments/UNKNOWN', {
      token,
      body: { data: plainEmails(100) },
    });
    expect(response.status).toBe(404);
    expect(response.body.errors?.[0].code).toBe(404);
  });
});

describe('a 250,000-member replace', () => {
  it('is accepted within the default 16 MiB limit and stores every member', async () => {
    const big = await startSimulator();
    try {
      const bigToken = big.state.issueTokens().accessToken;
      const created = await callApi(big, 'POST', '/audience/v1/segments', {
        token: bigToken,
        body: crm('Large', plainEmails(100)),
      });
      const id = created.body.segment!.segment_id;
      const data = Array.from({ length: 250_000 }, (_, i) => ({ email: md5(`member${i}@example.com`) }));
      const body = JSON.stringify({ name: 'Large', data });
      expect(Buffer.byteLength(body)).toBeGreaterThan(10_000_000);
      const response = await callApi(big, 'POST', `/audience/v1/segments/${id}`, {
        token: bigToken,
        rawBody: body,
      });
      expect(response.status).toBe(200);
      expect(response.body.segment!.emails).toBe(250_000);
      expect(big.state.audiences.get(id)!.members.has(md5('member249999@example.com'))).toBe(true);
    } finally {
      await big.stop();
    }
  });
});
