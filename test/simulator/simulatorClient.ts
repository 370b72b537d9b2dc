import { DEFAULT_CLIENT, DEMO_USER, type RunningSimulator } from '../../dev/simulator';

/** Small HTTP helpers for simulator tests: every call goes over real HTTP with global fetch. */

export const REDIRECT_URI = 'http://127.0.0.1:7071/api/oauth/rollworks/callback';

export function plainEmails(count: number, prefix = 'person'): { email: string }[] {
  return Array.from({ length: count }, (_, i) => ({ email: `${prefix}.${i}@example.com` }));
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

/** Submits the sign-in form like a browser would and returns the redirect Location. */
export async function submitSignIn(
  sim: RunningSimulator,
  fields: Record<string, string>,
): Promise<{ status: number; location: URL | null; text: string }> {
  const form = new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    scope: 'all',
    response_type: 'code',
    username: DEMO_USER.username,
    password: DEMO_USER.password,
    decision: 'allow',
    ...fields,
  });
  const response = await fetch(`${sim.url}/auth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location ? new URL(location) : null,
    text: await response.text(),
  };
}

export async function authorizationCode(
  sim: RunningSimulator,
  fields: Record<string, string> = {},
): Promise<string> {
  const { location } = await submitSignIn(sim, fields);
  const code = location?.searchParams.get('code');
  if (!code) throw new Error('sign-in did not redirect with a code');
  return code;
}

export async function postToken(
  sim: RunningSimulator,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: DEFAULT_CLIENT.clientId,
      client_secret: DEFAULT_CLIENT.clientSecret,
      ...fields,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function signInForTokens(sim: RunningSimulator): Promise<TokenResponse> {
  const code = await authorizationCode(sim);
  const { status, body } = await postToken(sim, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
  });
  if (status !== 200) throw new Error(`token exchange failed with ${status}`);
  return body as unknown as TokenResponse;
}

export interface Segment {
  segment_id: string;
  type: string;
  name: string;
  emails: number;
}

/** The union of the API response shapes the tests read. */
export interface ApiBody {
  text?: string;
  errors?: { code: number; message: string; field?: string }[];
  result?: string;
  results?: { eid: string; name: string; organization?: string };
  data?: { advertiser_id: string; name?: string }[];
  segment?: Segment;
  segments?: Segment[];
}

export interface ApiCallOptions {
  token?: string;
  apikey?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  contentType?: string;
}

/** Calls a RollWorks API path with `apikey` and bearer token, as the real client does. */
export async function callApi(
  sim: RunningSimulator,
  method: string,
  path: string,
  options: ApiCallOptions = {},
): Promise<{ status: number; headers: Headers; body: ApiBody }> {
  const url = new URL(path, sim.url);
  const apikey = options.apikey === undefined ? DEFAULT_CLIENT.clientId : options.apikey;
  if (apikey !== null) url.searchParams.set('apikey', apikey);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: ApiBody = { text };
  try {
    parsed = JSON.parse(text) as ApiBody;
  } catch {
    // keep raw text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
