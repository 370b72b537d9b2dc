import {
  DEFAULT_CLIENT,
  DEMO_ADVERTISABLES,
  DEMO_ORGANIZATION,
  DEMO_USER,
  startSimulator,
  type RunningSimulator,
} from '../../dev/simulator';
import { callApi, plainEmails } from './simulatorClient';

const OTHER_USER = {
  username: 'other',
  password: 'other-password',
  organization: { eid: 'ZZORG0000000000000000A', name: 'Fabrikam' },
  advertisables: [{ eid: 'ZZADV0000000000000000B', name: 'Fabrikam Web' }],
};
const SECOND_CLIENT = { clientId: 'second-client', clientSecret: 'second-secret', redirectUris: [] };

let sim: RunningSimulator;
let demoToken: string;
let otherToken: string;

beforeAll(async () => {
  sim = await startSimulator({ users: [DEMO_USER, OTHER_USER], clients: [DEFAULT_CLIENT, SECOND_CLIENT] });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.state.reset();
  demoToken = sim.state.issueTokens(DEFAULT_CLIENT.clientId, 'demo').accessToken;
  otherToken = sim.state.issueTokens(DEFAULT_CLIENT.clientId, 'other').accessToken;
});

describe('apikey and bearer checks', () => {
  const path = '/api/v1/organization/get';

  it('answers 401 without an apikey', async () => {
    const response = await callApi(sim, 'GET', path, { token: demoToken, apikey: null });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ errors: [{ code: 401, message: expect.any(String) }] });
  });

  it('answers 401 for an apikey that is no known client id', async () => {
    expect((await callApi(sim, 'GET', path, { token: demoToken, apikey: 'unknown' })).status).toBe(401);
  });

  it('answers 401 without a bearer token or with an unknown one', async () => {
    expect((await callApi(sim, 'GET', path)).status).toBe(401);
    expect((await callApi(sim, 'GET', path, { token: 'made-up-token' })).status).toBe(401);
  });

  it('answers 401 when the token belongs to another application than the apikey', async () => {
    const response = await callApi(sim, 'GET', path, { token: demoToken, apikey: SECOND_CLIENT.clientId });
    expect(response.status).toBe(401);
  });

  it('checks every API route, not just one', async () => {
    const routes: [string, string][] = [
      ['GET', '/audience/v1/advertisers'],
      ['GET', `/api/v1/advertisable/get?advertisable=${DEMO_ADVERTISABLES[0].eid}`],
      ['GET', `/audience/v1/segments?advertiser_id=${DEMO_ADVERTISABLES[0].eid}&type=crm`],
      ['POST', '/audience/v1/segments'],
      ['GET', '/audience/v1/segments/ANY'],
      ['DELETE', '/audience/v1/segments/ANY'],
    ];
    for (const [method, route] of routes) {
      expect({ route, status: (await callApi(sim, method, route, { token: 'bad' })).status }).toEqual({
        route,
        status: 401,
      });
    }
  });
});

describe('organization, advertisers and advertisables', () => {
  it('returns the token user organization', async () => {
    const response = await callApi(sim, 'GET', '/api/v1/organization/get', { token: demoToken });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ results: { eid: DEMO_ORGANIZATION.eid, name: DEMO_ORGANIZATION.name } });
    const other = await callApi(sim, 'GET', '/api/v1/organization/get', { token: otherToken });
    expect(other.body.results?.eid).toBe(OTHER_USER.organization.eid);
  });

  it('lists only the advertisables the token may write to', async () => {
    const response = await callApi(sim, 'GET', '/audience/v1/advertisers', { token: demoToken });
    expect(response.status).toBe(200);
    expect(response.body.data?.map((a) => a.advertiser_id)).toEqual(DEMO_ADVERTISABLES.map((a) => a.eid));
  });

  it('seeds realistic 22-character uppercase alphanumeric EIDs', () => {
    for (const eid of [DEMO_ORGANIZATION.eid, ...DEMO_ADVERTISABLES.map((a) => a.eid)])
      expect(eid).toMatch(/^[A-Z0-9]{22}$/);
  });

  it('returns one advertisable by EID', async () => {
    const eid = DEMO_ADVERTISABLES[1].eid;
    const response = await callApi(sim, 'GET', `/api/v1/advertisable/get?advertisable=${eid}`, {
      token: demoToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toMatchObject({ eid, name: DEMO_ADVERTISABLES[1].name });
  });

  it("answers 403 for another organization's advertisable and 404 for an unknown one", async () => {
    const foreign = await callApi(
      sim,
      'GET',
      `/api/v1/advertisable/get?advertisable=${OTHER_USER.advertisables[0].eid}`,
      {
        token: demoToken,
      },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors?.[0].code).toBe(403);
    const unknown = await callApi(sim, 'GET', '/api/v1/advertisable/get?advertisable=NOPE', {
      token: demoToken,
    });
    expect(unknown.status).toBe(404);
  });
});

describe('segments across organizations', () => {
  it("refuses to create in, list, read or delete another organization's audiences", async () => {
    const foreignAdvertiser = OTHER_USER.advertisables[0].eid;
    const create = await callApi(sim, 'POST', '/audience/v1/segments', {
      token: demoToken,
      body: { advertiser_id: foreignAdvertiser, name: 'x', type: 'crm', data: plainEmails(100) },
    });
    expect(create.status).toBe(403);

    const own = await callApi(sim, 'POST', '/audience/v1/segments', {
      token: otherToken,
      body: { advertiser_id: foreignAdvertiser, name: 'theirs', type: 'crm', data: plainEmails(100) },
    });
    expect(own.status).toBe(200);
    const segmentId = own.body.segment!.segment_id;

    const list = await callApi(
      sim,
      'GET',
      `/audience/v1/segments?advertiser_id=${foreignAdvertiser}&type=crm`,
      {
        token: demoToken,
      },
    );
    expect(list.status).toBe(403);
    expect(
      (await callApi(sim, 'GET', `/audience/v1/segments/${segmentId}`, { token: demoToken })).status,
    ).toBe(403);
    expect(
      (await callApi(sim, 'DELETE', `/audience/v1/segments/${segmentId}`, { token: demoToken })).status,
    ).toBe(403);
    expect(sim.state.audiences.get(segmentId)?.deleted).toBe(false);
  });
});

describe('unknown routes and methods', () => {
  it('answers 404 for an unknown API path and 405 for a wrong method', async () => {
    expect((await callApi(sim, 'GET', '/api/v1/nothing', { token: demoToken })).status).toBe(404);
    expect((await callApi(sim, 'PUT', '/audience/v1/advertisers', { token: demoToken })).status).toBe(405);
  });
});
