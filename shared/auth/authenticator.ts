// Placeholder until its issue lands: the real module replaces this file.
import type { Principal } from '../model/identity';
export interface Authenticator {
  authenticate(authorizationHeader: string | null): Promise<Principal>;
}
export function createAuthenticator(..._args: unknown[]): never {
  throw new Error('createAuthenticator is not implemented yet');
}
