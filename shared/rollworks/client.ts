// Placeholder until its issue lands: the real module replaces this file.

export function createRollWorksClient(..._args: unknown[]): never {
  throw new Error('createRollWorksClient is not implemented yet');
}
