import { createHash } from 'node:crypto';
import { DEMO_ADVERTISABLES, startSimulator, type RunningSimulator } from '../../dev/simulator';
import { callApi } from './simulatorClient';

// The simulator reads the bodies our client sends by scanning them; every other body is parsed as
// JSON. Both readings must store the same audience and refuse the same records.

const ADVERTISER = DEMO_ADVERTISABLES[0].eid;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const digests = (count: number, prefix = 'p') =>
  Array.from({ length: count }, (_, i) => md5(`${prefix}${i}`));

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ maxRequestBytes: 4 * 1024 * 1024, dailyQuota: 10_000 });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.state.reset();
  token = sim.state.issueTokens().accessToken;
});

const record = (emails: string[]) => emails.map((email) => ({ email }));
const createBody = (emails: string[]) => ({
  advertiser_id: ADVERTISER,
  name: 'Scan · test',
  type: 'crm',
  data: record(emails),
});

/** The same body as our client's compact JSON, and pretty-printed (which only JSON.parse reads). */
async function createBoth(body: object) {
  const compact = await callApi(sim, 'POST', '/audience/v1/segments', {
    token,
    rawBody: JSON.stringify(body),
  });
  const pretty = await callApi(sim, 'POST', '/audience/v1/segments', {
    token,
    rawBody: JSON.stringify(body, null, 2),
  });
  return [compact, pretty];
}

const storedMembers = (segmentId: string) => [...sim.state.audiences.get(segmentId)!.members];

describe('segment write bodies', () => {
  it.each([
    ['sorted lower-case digests (what the worker sends)', digests(300).sort()],
    ['unsorted digests', digests(300)],
    ['upper-case digests', digests(300).map((d) => d.toUpperCase())],
    ['plain addresses', Array.from({ length: 150 }, (_, i) => `Person.${i}@Example.com`)],
    ['sorted digests with repeats', [...digests(120), ...digests(30)].sort()],
  ])('stores the same audience from %s, read either way', async (_case, emails) => {
    const expected = [...new Set(emails.map((email) => email.toLowerCase()))].sort();
    for (const response of await createBoth(createBody(emails))) {
      expect(response.status).toBe(200);
      expect(response.body.segment!.emails).toBe(expected.length);
      const id = response.body.segment!.segment_id;
      expect(storedMembers(id).sort()).toEqual(expected);
      const stored = sim.state.audiences.get(id)!.members;
      expect(stored.size).toBe(expected.length);
      expect(stored.has(expected[0])).toBe(true);
      expect(stored.has(expected[expected.length - 1])).toBe(true);
      expect(stored.has(md5('not a member'))).toBe(false);
    }
  });

  it.each([
    ['a value that is not hex', (list: string[]) => (list[5] = `${list[5].slice(0, 31)}g`)],
    ['a digest one digit short', (list: string[]) => (list[5] = list[5].slice(1))],
    ['an empty value', (list: string[]) => (list[5] = '')],
  ])('names the same first bad record for %s, read either way', async (_case, spoil) => {
    const emails = digests(200).sort();
    spoil(emails);
    const responses = await createBoth(createBody(emails));
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.body.errors![0].field).toBe('data[5].email');
    }
    expect(responses[0].body).toEqual(responses[1].body);
  });

  it('refuses too few unique digests and counts sorted repeats once', async () => {
    const emails = [...digests(99), ...digests(99)].sort();
    for (const response of await createBoth(createBody(emails))) {
      expect(response.status).toBe(400);
      expect(response.body.errors![0].message).toMatch(/at least 100 unique emails; got 99/);
    }
  });

  it('reads a body whose data is not the last field, and replaces with sorted digests', async () => {
    const first = digests(150).sort();
    const created = await callApi(sim, 'POST', '/audience/v1/segments', {
      token,
      rawBody: JSON.stringify({
        data: record(first),
        advertiser_id: ADVERTISER,
        name: 'Data first',
        type: 'crm',
      }),
    });
    expect(created.status).toBe(200);
    const id = created.body.segment!.segment_id;
    expect(storedMembers(id)).toEqual(first);
    const second = digests(180, 'q').sort();
    const replaced = await callApi(sim, 'POST', `/audience/v1/segments/${id}`, {
      token,
      rawBody: JSON.stringify({ name: 'Data first', data: record(second) }),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.segment!.emails).toBe(180);
    expect(storedMembers(id)).toEqual(second);
  });
});
