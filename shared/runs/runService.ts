// Placeholder until its issue lands: the real module replaces this file.
export type RunService = Record<string, never>;
export function createRunService(..._args: unknown[]): never {
  throw new Error('createRunService is not implemented yet');
}
