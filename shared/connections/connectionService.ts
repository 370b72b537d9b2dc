// Placeholder until its issue lands: the real module replaces this file.
export type ConnectionService = Record<string, never>;
export function createConnectionService(..._args: unknown[]): never {
  throw new Error('createConnectionService is not implemented yet');
}
