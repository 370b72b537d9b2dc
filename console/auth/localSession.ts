import { userOf, type Session } from './session';

const KEY = 'rollworks-export.local-session';
const SAFETY_MS = 60_000;

interface Stored {
  accessToken: string;
  expiresAt: string;
}

function session(stored: Stored): Session {
  return {
    user: userOf(stored.accessToken),
    token: async () => stored.accessToken,
    signOut() {
      sessionStorage.removeItem(KEY);
      location.reload();
    },
  };
}

/** The session kept in this tab from an earlier local sign-in, while its token is valid. */
export function restoreLocalSession(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    if (stored && Date.parse(stored.expiresAt) - SAFETY_MS > Date.now()) return session(stored);
  } catch {
    // nothing usable kept
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export class LocalSignInError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Asks the local stack's token issuer (the one behind `npm run token`) for a token. */
export async function localSignIn(tokenUrl: string, name: string, role: string): Promise<Session> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, role }),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<Stored> & {
    detail?: string;
    field?: string;
  };
  if (!response.ok || !body.accessToken || !body.expiresAt) {
    throw new LocalSignInError(body.detail ?? `Sign-in failed (${response.status}).`, body.field);
  }
  const stored = { accessToken: body.accessToken, expiresAt: body.expiresAt };
  sessionStorage.setItem(KEY, JSON.stringify(stored));
  return session(stored);
}
