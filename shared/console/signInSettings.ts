/** Shared by the serving function and the console page (no imports: the browser bundle reads it too). */

/** The path the console is served under; also the Entra ID redirect URI's path. */
export const CONSOLE_PATH = '/api/console/';

/** Where the local stack (never Azure) issues console tokens; see dev/localSignIn.ts. */
export const LOCAL_SIGN_IN_PATH = '/local-auth/token';

/** How the console page signs people in, handed to it by the serving function. */
export type ConsoleSignIn =
  | { mode: 'local'; tokenUrl: string }
  | { mode: 'entra'; clientId: string; authority: string; scopes: string[]; redirectUri: string }
  | { mode: 'unavailable'; message: string };
