import type { RequestBudget } from '../../../shared/destinations/rollworks/requestBudget';

/** In-memory budget for client tests (the Table Storage budget has its own tests). */
export function countingBudget(limit = Infinity) {
  const budget = {
    used: 0,
    limit,
    resetsAt: new Date('2030-01-02T00:00:00Z'),
    async tryConsume(count: number) {
      if (budget.used + count > budget.limit) return { ok: false as const, resetsAt: budget.resetsAt };
      budget.used += count;
      return { ok: true as const };
    },
  };
  return budget satisfies RequestBudget;
}
