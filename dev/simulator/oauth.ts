import { type SimRequest, type SimResponse } from './http';
import { authorizeErrorPage, signInPage, type AuthorizeParams } from './signInPage';
import type { SimulatorState, IssuedTokens } from './state';
import type { SimulatorClient } from './options';

export async function handleAuth(state: SimulatorState, request: SimRequest): Promise<SimResponse> {
  const path = request.url.pathname.replace(/\/+$/, '');
  if (path === '/auth/authorize' && request.method === 'GET')
    return authorizePage(state, request.url.searchParams);
  if (path === '/auth/authorize' && request.method === 'POST') return authorizeDecision(state, request);
  if (path === '/auth/token' && request.method === 'POST') return token(state, request);
  if (path === '/auth/authorize' || path === '/auth/token')
    return oauthError(405, 'invalid_request', 'method not allowed');
  return oauthError(404, 'invalid_request', 'unknown endpoint');
}

type Validated =
  { ok: true; client: SimulatorClient; params: AuthorizeParams } | { ok: false; response: SimResponse };

/** Client and redirect URI problems are shown as a page: never redirect to an unchecked URI. */
function validateAuthorizeRequest(state: SimulatorState, fields: URLSearchParams): Validated {
  const page = (message: string): Validated => ({
    ok: false,
    response: { status: 400, html: authorizeErrorPage(message) },
  });
  const clientId = fields.get('client_id') ?? '';
  const redirectUri = fields.get('redirect_uri') ?? '';
  const client = state.clients.get(clientId);
  if (!client) return page(clientId ? `Unknown client_id "${clientId}".` : 'client_id is missing.');
  if (!redirectUri) return page('redirect_uri is missing.');
  if (!state.clientRedirectAllowed(client, redirectUri))
    return page(`redirect_uri "${redirectUri}" is not registered for this client.`);
  return {
    ok: true,
    client,
    params: { clientId, redirectUri, state: fields.get('state') ?? '', scope: fields.get('scope') || 'all' },
  };
}

function redirectTo(params: AuthorizeParams, values: Record<string, string>): SimResponse {
  const target = new URL(params.redirectUri);
  for (const [key, value] of Object.entries(values)) target.searchParams.set(key, value);
  if (params.state) target.searchParams.set('state', params.state);
  return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' } };
}

function authorizePage(state: SimulatorState, query: URLSearchParams): SimResponse {
  const validated = validateAuthorizeRequest(state, query);
  if (!validated.ok) return validated.response;
  const { params } = validated;
  if (query.get('response_type') !== 'code')
    return redirectTo(params, {
      error: 'unsupported_response_type',
      error_description: 'response_type must be code',
    });
  if (params.scope !== 'all')
    return redirectTo(params, { error: 'invalid_scope', error_description: 'only scope all exists' });
  return { status: 200, html: signInPage(params), headers: { 'cache-control': 'no-store' } };
}

function authorizeDecision(state: SimulatorState, request: SimRequest): SimResponse {
  const fields = new URLSearchParams(request.body.toString('utf8'));
  const validated = validateAuthorizeRequest(state, fields);
  if (!validated.ok) return validated.response;
  const { params, client } = validated;
  if (fields.get('decision') !== 'allow')
    return redirectTo(params, { error: 'access_denied', error_description: 'The user denied access' });
  const username = fields.get('username') ?? '';
  const user = state.users.get(username);
  if (!user || user.password !== (fields.get('password') ?? ''))
    return {
      status: 401,
      html: signInPage(params, { error: 'The username or password is incorrect. Try again.', username }),
    };
  return redirectTo(params, {
    code: state.issueAuthorizationCode(client.clientId, user.username, params.redirectUri),
  });
}

function oauthError(status: number, error: string, description: string): SimResponse {
  return {
    status,
    json: { error, error_description: description },
    headers: { 'cache-control': 'no-store' },
  };
}

function clientCredentials(request: SimRequest, fields: URLSearchParams): { id: string; secret: string } {
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0)
      return { id: safeDecode(decoded.slice(0, colon)), secret: safeDecode(decoded.slice(colon + 1)) };
  }
  return { id: fields.get('client_id') ?? '', secret: fields.get('client_secret') ?? '' };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function token(state: SimulatorState, request: SimRequest): SimResponse {
  if (!/application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? ''))
    return oauthError(400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
  const fields = new URLSearchParams(request.body.toString('utf8'));
  const credentials = clientCredentials(request, fields);
  const client = state.clients.get(credentials.id);
  if (!client || client.clientSecret !== credentials.secret)
    return oauthError(401, 'invalid_client', 'client authentication failed');

  let outcome: IssuedTokens | string;
  switch (fields.get('grant_type')) {
    case 'authorization_code': {
      const code = fields.get('code');
      const redirectUri = fields.get('redirect_uri');
      if (!code || !redirectUri)
        return oauthError(400, 'invalid_request', 'code and redirect_uri are required');
      outcome = state.redeemAuthorizationCode(code, client.clientId, redirectUri);
      break;
    }
    case 'refresh_token': {
      const refreshToken = fields.get('refresh_token');
      if (!refreshToken) return oauthError(400, 'invalid_request', 'refresh_token is required');
      outcome = state.redeemRefreshToken(refreshToken, client.clientId);
      break;
    }
    default:
      return oauthError(
        400,
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token',
      );
  }
  if (typeof outcome === 'string') return oauthError(400, 'invalid_grant', outcome);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    json: {
      access_token: outcome.accessToken,
      refresh_token: outcome.refreshToken,
      expires_in: outcome.expiresInSeconds,
      token_type: 'bearer',
      scope: 'all',
    },
  };
}
