import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLES, type Role } from '../shared/model/identity';
import { signLocalToken } from './localAuth';

const MAX_BODY_BYTES = 4096;
const TOKEN_SECONDS = 3600;

/** A stable subject for a typed name, so signing in again as "Alice" is the same person. */
export const localSubject = (name: string) =>
  `local-${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'user'
  }`;

/**
 * POST {name, role}: a token from the local issuer, as `npm run token` signs them. Served by the local
 * stack only (an extra route of the local host), so no deployment of the app can answer it.
 */
export async function serveLocalSignIn(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown): void =>
    void response
      .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
      .end(JSON.stringify(body));
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    return reply(405, { detail: 'POST a name and a role.' });
  }
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_BODY_BYTES) return reply(413, { detail: 'The body is too large.' });
  }
  let input: { name?: unknown; role?: unknown };
  try {
    input = JSON.parse(text);
  } catch {
    return reply(400, { detail: 'The body is not JSON.', field: '(body)' });
  }
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '' || name.length > 100)
    return reply(422, { detail: 'Type a name (1 to 100 characters).', field: 'name' });
  if (!ROLES.includes(input.role as Role))
    return reply(422, { detail: `Pick one of ${ROLES.join(', ')}.`, field: 'role' });
  const accessToken = await signLocalToken({
    roles: [input.role as Role],
    sub: localSubject(name),
    name,
    expiresInSeconds: TOKEN_SECONDS,
  });
  reply(200, { accessToken, expiresAt: new Date(Date.now() + TOKEN_SECONDS * 1000).toISOString() });
}
