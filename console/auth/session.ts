import type { ConsoleSignIn } from '../../shared/console/signInSettings';
import type { Role } from '../../shared/model/identity';

export type { ConsoleSignIn, Role };

/** Who is signed in, from the access token's claims: a display name and app roles, nothing else. */
export interface User {
  name: string;
  roles: Role[];
}

export interface Session {
  user: User;
  /** A current access token for the API. */
  token(): Promise<string>;
  signOut(): void;
}

/** The sign-in settings the serving function put into the page. */
export function pageSignIn(): ConsoleSignIn {
  const content = document.querySelector('meta[name="console-sign-in"]')?.getAttribute('content');
  try {
    return JSON.parse(content ?? '') as ConsoleSignIn;
  } catch {
    return { mode: 'unavailable', message: 'The page has no sign-in settings; reload it.' };
  }
}

/** The name and roles in a JWT's payload (the signature is the API's business). */
export function userOf(token: string): User {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  return {
    name: typeof claims.name === 'string' ? claims.name : 'Signed-in user',
    roles: Array.isArray(claims.roles) ? claims.roles : [],
  };
}
