import { randomUUID } from 'node:crypto';
import { createStorageClients } from '../../../shared/storage/clients';
import { createRequestBudget } from '../../../shared/destinations/rollworks/requestBudget';
import { testConfig } from '../../worker/fakes/testConfig';
import { sharedStorage } from '../../support/sharedAzurite';

describe('daily RollWorks request budget (Table Storage on Azurite)', () => {
  let storage: Awaited<ReturnType<typeof sharedStorage>>;
  const run = randomUUID().slice(0, 8);
  beforeAll(async () => {
    storage = await sharedStorage();
  });
  afterAll(() => storage?.stop());

  function budgetAt(time: { now: Date }, clientId: string, limit: number) {
    const config = testConfig({
      AzureWebJobsStorage: storage.connectionString,
      ROLLWORKS_CLIENT_ID: `${clientId}-${run}`,
      ROLLWORKS_DAILY_REQUEST_BUDGET: String(limit),
    });
    return createRequestBudget(config, createStorageClients(config), { now: () => time.now });
  }

  it('allows the configured number of requests per UTC day, then says when it resets', async () => {
    const time = { now: new Date('2026-03-10T23:59:00Z') };
    const budget = budgetAt(time, 'app-a', 5);
    await expect(budget.tryConsume(3)).resolves.toEqual({ ok: true });
    await expect(budget.tryConsume(2)).resolves.toEqual({ ok: true });
    await expect(budget.tryConsume(1)).resolves.toEqual({
      ok: false,
      resetsAt: new Date('2026-03-11T00:00:00Z'),
    });
    time.now = new Date('2026-03-11T00:00:01Z');
    await expect(budget.tryConsume(5)).resolves.toEqual({ ok: true });
    await expect(budget.tryConsume(1)).resolves.toEqual({
      ok: false,
      resetsAt: new Date('2026-03-12T00:00:00Z'),
    });
  });

  it('never over-spends when several instances consume at once', async () => {
    const time = { now: new Date('2026-04-01T12:00:00Z') };
    const instances = [budgetAt(time, 'app-b', 20), budgetAt(time, 'app-b', 20), budgetAt(time, 'app-b', 20)];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % instances.length].tryConsume(1)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(20);
  });

  it('keeps separate budgets per application (client id)', async () => {
    const time = { now: new Date('2026-05-01T08:00:00Z') };
    await expect(budgetAt(time, 'app-c', 1).tryConsume(1)).resolves.toEqual({ ok: true });
    await expect(budgetAt(time, 'app-d', 1).tryConsume(1)).resolves.toEqual({ ok: true });
    await expect(budgetAt(time, 'app-c', 1).tryConsume(1)).resolves.toMatchObject({ ok: false });
  });
});
