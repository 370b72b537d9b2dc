// Placeholder until its issue lands: the real module replaces this file.
export interface RequestBudget {
  tryConsume(count: number): Promise<{ ok: true } | { ok: false; resetsAt: Date }>;
}
export function createRequestBudget(..._args: unknown[]): never {
  throw new Error('createRequestBudget is not implemented yet');
}
