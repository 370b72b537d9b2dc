import { startSimulator, type RunningSimulator } from '../../../dev/simulator';
import { createRollWorksDestination } from '../../../shared/destinations/rollworks';
import type { AccessTokenProvider } from '../../../shared/destinations/destination';
import { DestinationError } from '../../../shared/destinations/destinationError';
import { testConfig } from '../../worker/fakes/testConfig';
import { countingBudget } from './countingBudget';

const ADVERTISER = 'HV6KQ2XN9TBR4MZJ7CWL5D';
const REDIRECT = 'http://127.0.0.1:7071/api/oauth/rollworks/callback';
const emails = (n: number, prefix = 'person') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

describe('RollWorks destination against the simulator over HTTP', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(() => simulator?.stop());
  beforeEach(() => simulator.state.reset());

  function setup() {
    const config = testConfig({
      ROLLWORKS_API_BASE_URL: simulator.url,
      ROLLWORKS_AUTH_BASE_URL: simulator.url,
      ROLLWORKS_RETRY_BUDGET_MS: '20000',
    });
    const budget = countingBudget();
    const client = createRollWorksDestination(config, { budget, backoff: { baseMs: 2, capMs: 20 } });
    return { client, budget };
  }

  async function tokenProvider(client: ReturnType<typeof setup>['client']): Promise<AccessTokenProvider> {
    const code = simulator.state.issueAuthorizationCode('local-client', 'demo', REDIRECT);
    let grant = await client.signIn.exchangeCode(code, REDIRECT);
    return {
      get: async () => grant.accessToken,
      refresh: async () => {
        grant = await client.signIn.refresh(grant.refreshToken);
        return grant.accessToken;
      },
    };
  }

  it('signs in with a code, refreshes (single use) and rejects a reused refresh token', async () => {
    const { client } = setup();
    const code = simulator.state.issueAuthorizationCode('local-client', 'demo', REDIRECT);
    const first = await client.signIn.exchangeCode(code, REDIRECT);
    const second = await client.signIn.refresh(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const reused = (await client.signIn
      .refresh(first.refreshToken)
      .catch((e: unknown) => e)) as DestinationError;
    expect(reused).toBeInstanceOf(DestinationError);
    expect(reused.code).toBe('INVALID_GRANT');
  });

  it('verifies the connection and runs the audience lifecycle', async () => {
    const { client, budget } = setup();
    const api = client.forConnection(await tokenProvider(client));
    await expect(api.verifyAccount()).resolves.toMatchObject({ name: 'Contoso Outdoor' });
    await expect(api.listAdvertisers()).resolves.toContainEqual({ id: ADVERTISER, name: expect.any(String) });
    await expect(api.verifyAdvertiser(ADVERTISER)).resolves.toEqual({
      id: ADVERTISER,
      name: 'Contoso Outdoor US',
    });

    const created = await api.createAudience(ADVERTISER, 'Spring · vip [abc]', emails(150));
    expect(created).toMatchObject({ name: 'Spring · vip [abc]', memberCount: 150 });
    const replaced = await api.replaceAudience(
      created.audienceId,
      'Spring · vip [abc]',
      emails(120, 'other'),
    );
    expect(replaced.memberCount).toBe(120);
    const listed = await api.listAudiences(ADVERTISER);
    expect(listed.map((a) => a.audienceId)).toEqual([created.audienceId]);
    await expect(api.readAudience(created.audienceId)).resolves.toMatchObject({ memberCount: 120 });
    const stored = simulator.state.audiences.get(created.audienceId)!;
    expect([...stored.members].sort()).toEqual(emails(120, 'other').sort());
    await api.deleteAudience(created.audienceId);
    await expect(api.listAudiences(ADVERTISER)).resolves.toEqual([]);
    const quotaUsed = simulator.state.requestLog.filter((r) => !r.path.startsWith('/auth/')).length;
    expect(budget.used).toBe(quotaUsed);
  });

  it('rides out a storm of 429s and 500s and still writes exactly the list', async () => {
    const { client } = setup();
    const api = client.forConnection(await tokenProvider(client));
    const created = await api.createAudience(ADVERTISER, 'storm', emails(100));
    simulator.state.setFaults({ rate429: 0.4, rate500: 0.3, seed: 7 });
    await api.replaceAudience(created.audienceId, 'storm', emails(300, 'storm'));
    simulator.state.setFaults({});
    const faulted = simulator.state.requestLog.filter((r) => r.fault).length;
    expect(faulted).toBeGreaterThan(0);
    expect([...simulator.state.audiences.get(created.audienceId)!.members].sort()).toEqual(
      emails(300, 'storm').sort(),
    );
  });

  it('refreshes an expired access token once and carries on', async () => {
    const { client } = setup();
    const api = client.forConnection(await tokenProvider(client));
    simulator.state.expireAccessTokens();
    await expect(api.verifyAccount()).resolves.toMatchObject({ name: 'Contoso Outdoor' });
  });

  it('reports a create whose connection dropped after processing as outcome unknown', async () => {
    const { client } = setup();
    const api = client.forConnection(await tokenProvider(client));
    simulator.state.setFaults({ dropRate: 1, dropAfterProcessing: true });
    const error = (await api
      .createAudience(ADVERTISER, 'dropped', emails(100))
      .catch((e: unknown) => e)) as DestinationError;
    simulator.state.setFaults({});
    expect(error.code).toBe('NETWORK');
    expect(error.kind).toBe('outcomeUnknown');
    expect(simulator.state.audiences.size).toBe(1);
  });

  it('tells the caller once when a members request is sent, before the answer', async () => {
    const { client } = setup();
    const api = client.forConnection(await tokenProvider(client));
    const events: string[] = [];
    const onRequestSent = () => events.push('sent');
    const created = await api.createAudience(ADVERTISER, 'hooked', emails(150), { onRequestSent });
    events.push('answered');
    await api.replaceAudience(created.audienceId, 'hooked', emails(130), { onRequestSent });
    events.push('answered');
    expect(events).toEqual(['sent', 'answered', 'sent', 'answered']);
    expect(simulator.state.audiences.get(created.audienceId)!.members.size).toBe(130);
  });

  it('times out a members request whose answer does not come', async () => {
    const config = testConfig({
      ROLLWORKS_API_BASE_URL: simulator.url,
      ROLLWORKS_AUTH_BASE_URL: simulator.url,
      ROLLWORKS_REQUEST_TIMEOUT_MS: '300',
      ROLLWORKS_RETRY_BUDGET_MS: '100',
    });
    const client = createRollWorksDestination(config, { budget: countingBudget() });
    const api = client.forConnection(await tokenProvider(client));
    simulator.state.setFaults({ latencyMs: 2_000 });
    const error = (await api
      .createAudience(ADVERTISER, 'slow', emails(100), { onRequestSent: () => undefined })
      .catch((e: unknown) => e)) as DestinationError;
    simulator.state.setFaults({});
    expect(error).toBeInstanceOf(DestinationError);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(/timed out/);
    expect(error.kind).toBe('outcomeUnknown');
  });
});
