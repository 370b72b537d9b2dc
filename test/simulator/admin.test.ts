import {
  DEMO_ADVERTISABLES,
  startSimulator,
  type RunningSimulator,
  type SimulatorState,
} from '../../dev/simulator';
import { callApi, plainEmails, signInForTokens } from './simulatorClient';

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await admin('POST', '/__admin/reset');
  token = (await signInForTokens(sim)).access_token;
});

type StateSnapshot = ReturnType<SimulatorState['snapshot']>;
type AdminBody = Partial<StateSnapshot> & {
  expired?: number;
  members?: string[];
  dailyQuota?: number;
  used?: Record<string, number>;
};

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: AdminBody }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as AdminBody };
}

async function createAudience(name: string): Promise<string> {
  const response = await callApi(sim, 'POST', '/audience/v1/segments', {
    token,
    body: { advertiser_id: DEMO_ADVERTISABLES[0].eid, name, type: 'crm', data: plainEmails(100) },
  });
  return response.body.segment!.segment_id;
}

describe('GET /__admin/state', () => {
  it('returns stored audiences with members and a request log without secrets', async () => {
    const id = await createAudience('Inspected');
    const { status, body } = await admin('GET', '/__admin/state');
    expect(status).toBe(200);
    expect(body.audiences).toEqual([
      {
        id,
        advertiserId: DEMO_ADVERTISABLES[0].eid,
        name: 'Inspected',
        type: 'crm',
        memberCount: 100,
        members: expect.arrayContaining(['person.0@example.com', 'person.99@example.com']),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        deleted: false,
      },
    ]);
    const paths = body.requestLog!.map((e) => `${e.method} ${e.path}`);
    expect(paths).toEqual([
      'POST /auth/authorize',
      'POST /auth/token',
      'POST /audience/v1/segments?apikey=local-client',
    ]);
    expect(body.requestLog!.at(-1)).toMatchObject({
      status: 200,
      clientId: 'local-client',
      time: expect.any(String),
    });
    const logText = JSON.stringify(body.requestLog);
    expect(logText).not.toContain(token);
    expect(logText).not.toContain('@example.com');
  });

  it('omits member arrays with ?members=false', async () => {
    await createAudience('Small');
    const { body } = await admin('GET', '/__admin/state?members=false');
    expect(body.audiences![0].members).toBeUndefined();
    expect(body.audiences![0].memberCount).toBe(100);
  });
});

describe('admin controls', () => {
  it('lists one audience members', async () => {
    const id = await createAudience('Members');
    const { status, body } = await admin('GET', `/__admin/audiences/${id}/members`);
    expect(status).toBe(200);
    expect(body.members).toHaveLength(100);
    expect((await admin('GET', '/__admin/audiences/NOPE/members')).status).toBe(404);
  });

  it('resets audiences, log, quota and tokens', async () => {
    await createAudience('Gone');
    await admin('POST', '/__admin/reset');
    const { body } = await admin('GET', '/__admin/state');
    expect(body.audiences).toEqual([]);
    expect(body.requestLog).toEqual([]);
    expect(body.quota!.used).toEqual({});
    expect((await callApi(sim, 'GET', '/api/v1/organization/get', { token })).status).toBe(401);
  });

  it('sets faults at runtime and refuses invalid ones', async () => {
    expect((await admin('POST', '/__admin/faults', { rate500: 1 })).status).toBe(200);
    expect((await callApi(sim, 'GET', '/api/v1/organization/get', { token })).status).toBe(500);
    expect((await admin('POST', '/__admin/faults', {})).status).toBe(200);
    expect((await callApi(sim, 'GET', '/api/v1/organization/get', { token })).status).toBe(200);
    expect((await admin('POST', '/__admin/faults', { rate500: 2 })).status).toBe(400);
    expect((await admin('POST', '/__admin/faults', { rateTypo: 0.5 })).status).toBe(400);
  });

  it('sets the quota and the used count', async () => {
    const set = await admin('POST', '/__admin/quota', { dailyQuota: 10, used: 10 });
    expect(set.body).toMatchObject({ dailyQuota: 10, used: { 'local-client': 10 } });
    expect((await callApi(sim, 'GET', '/api/v1/organization/get', { token })).status).toBe(429);
    await admin('POST', '/__admin/quota', { used: 9, clientId: 'local-client' });
    expect((await callApi(sim, 'GET', '/api/v1/organization/get', { token })).status).toBe(200);
    expect((await admin('POST', '/__admin/quota', { used: -1 })).status).toBe(400);
  });

  it('expires every access token so clients must refresh', async () => {
    const expired = await admin('POST', '/__admin/expire-tokens');
    expect(expired.body.expired).toBeGreaterThanOrEqual(1);
    const response = await callApi(sim, 'GET', '/api/v1/organization/get', { token });
    expect(response.status).toBe(401);
  });

  it('is never faulted or counted against the quota', async () => {
    await admin('POST', '/__admin/faults', { rate500: 1, dropRate: 1 });
    expect((await admin('GET', '/__admin/state')).status).toBe(200);
    expect((await admin('GET', '/__admin/state')).body.quota!.used).toEqual({});
  });
});
