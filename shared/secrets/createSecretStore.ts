// Placeholder until its issue lands: the real module replaces this file.

export function createSecretStore(..._args: unknown[]): never {
  throw new Error('createSecretStore is not implemented yet');
}
