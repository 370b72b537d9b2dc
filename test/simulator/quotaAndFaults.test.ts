import { startSimulator, type RunningSimulator } from '../../dev/simulator';
import { callApi, postToken, signInForTokens } from './simulatorClient';

const ORG_PATH = '/api/v1/organization/get';

describe('daily quota', () => {
  let clock = new Date('2026-03-01T23:59:00Z');
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ dailyQuota: 3, now: () => clock });
  });
  afterAll(() => sim.stop());

  it('answers 429 without Retry-After once the client has used its calls for the UTC day', async () => {
    const token = sim.state.issueTokens().accessToken;
    for (let i = 0; i < 3; i++) expect((await callApi(sim, 'GET', ORG_PATH, { token })).status).toBe(200);
    const refused = await callApi(sim, 'GET', ORG_PATH, { token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.body.errors?.[0].code).toBe(429);

    // OAuth calls are not API calls: they still work.
    const tokens = await signInForTokens(sim);
    expect(
      (await postToken(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status,
    ).toBe(200);

    clock = new Date('2026-03-02T00:00:01Z');
    expect((await callApi(sim, 'GET', ORG_PATH, { token })).status).toBe(200);
  });

  it('counts calls that fail authentication but not calls with an unknown apikey', async () => {
    sim.state.reset();
    await callApi(sim, 'GET', ORG_PATH, { token: 'wrong' });
    await callApi(sim, 'GET', ORG_PATH, { token: 'wrong', apikey: 'nobody' });
    expect(sim.state.quotaUsedBy('local-client')).toBe(1);
  });
});

describe('fault injection', () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({ dailyQuota: 100_000 });
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.state.reset();
    token = sim.state.issueTokens().accessToken;
  });

  async function statuses(count: number): Promise<number[]> {
    const result: number[] = [];
    for (let i = 0; i < count; i++) {
      try {
        result.push((await callApi(sim, 'GET', ORG_PATH, { token })).status);
      } catch {
        result.push(0);
      }
    }
    return result;
  }

  it('answers every call 500 at rate 1.0 and none at 0.0', async () => {
    sim.state.setFaults({ rate500: 1 });
    expect(await statuses(5)).toEqual([500, 500, 500, 500, 500]);
    sim.state.setFaults({ rate500: 0 });
    expect(await statuses(5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('injects 429s with Retry-After only when configured', async () => {
    sim.state.setFaults({ rate429: 1 });
    const plain = await callApi(sim, 'GET', ORG_PATH, { token });
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).toBeNull();
    sim.state.setFaults({ rate429: 1, retryAfterSeconds: 7 });
    expect((await callApi(sim, 'GET', ORG_PATH, { token })).headers.get('retry-after')).toBe('7');
  });

  it('injects roughly the configured share of 500s, repeatably with a seed', async () => {
    sim.state.setFaults({ rate500: 0.3, seed: 42 });
    const first = await statuses(200);
    const share = first.filter((s) => s === 500).length / first.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.42);
    expect(first.every((s) => s === 200 || s === 500)).toBe(true);
    sim.state.setFaults({ rate500: 0.3, seed: 42 });
    expect(await statuses(200)).toEqual(first);
  });

  it('drops the connection without a response', async () => {
    sim.state.setFaults({ dropRate: 1 });
    await expect(callApi(sim, 'GET', ORG_PATH, { token })).rejects.toThrow();
    expect(sim.state.requestLog.at(-1)).toMatchObject({ fault: 'drop', status: 0 });
  });

  it('can drop after processing, so a create happened although the client saw no answer', async () => {
    sim.state.setFaults({ dropRate: 1, dropAfterProcessing: true });
    const data = Array.from({ length: 100 }, (_, i) => ({ email: `u${i}@example.com` }));
    await expect(
      callApi(sim, 'POST', '/audience/v1/segments', {
        token,
        body: { advertiser_id: 'HV6KQ2XN9TBR4MZJ7CWL5D', name: 'Uncertain', type: 'crm', data },
      }),
    ).rejects.toThrow();
    expect([...sim.state.audiences.values()].map((a) => a.name)).toEqual(['Uncertain']);
  });

  it('adds latency', async () => {
    sim.state.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await callApi(sim, 'GET', ORG_PATH, { token })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('leaves /auth alone unless faults.auth is set', async () => {
    sim.state.setFaults({ rate500: 1 });
    const tokens = await signInForTokens(sim);
    sim.state.setFaults({ rate500: 1, auth: true });
    const refresh = await postToken(sim, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refresh.status).toBe(500);
  });

  it('takes faults from the start options', async () => {
    const faulty = await startSimulator({ faults: { rate429: 1 } });
    try {
      const faultyToken = faulty.state.issueTokens().accessToken;
      expect((await callApi(faulty, 'GET', ORG_PATH, { token: faultyToken })).status).toBe(429);
    } finally {
      await faulty.stop();
    }
  });
});
