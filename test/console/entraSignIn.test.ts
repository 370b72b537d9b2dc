import type { Route } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startTestStack, type TestStack } from '../support/stack';
import type { Browser } from 'playwright-core';

/**
 * With AUTH_MODE=entra the console signs in with MSAL: authorization code with PKCE, by redirect to
 * the authority the serving function names. Entra ID itself is played by routes the test fulfils.
 */
const TENANT = 'contoso-tenant';
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`;
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({
    files: [require.resolve('../../functions/console')],
    sharedStorage: true,
    settings: { AUTH_MODE: 'entra', ENTRA_ISSUER: `${AUTHORITY}/v2.0`, ENTRA_AUDIENCE: CLIENT_ID },
  });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function openIdConfiguration() {
  const base = `${AUTHORITY}/oauth2/v2.0`;
  return {
    issuer: `${AUTHORITY}/v2.0`,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    end_session_endpoint: `${base}/logout`,
    jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
  };
}

it('redirects to the Entra ID authority with PKCE, the console as redirect URI and the API scope', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  let authorize: URL | undefined;
  await page.route('https://login.microsoftonline.com/**', async (route: Route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/openid-configuration')) return route.fulfill({ json: openIdConfiguration() });
    if (url.pathname.endsWith('/discovery/instance')) {
      return route.fulfill({
        json: {
          tenant_discovery_endpoint: `${AUTHORITY}/v2.0/.well-known/openid-configuration`,
          metadata: [
            { preferred_network: 'login.microsoftonline.com', aliases: ['login.microsoftonline.com'] },
          ],
        },
      });
    }
    if (url.pathname.endsWith('/authorize')) {
      authorize = url;
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Sign in</title>' });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  try {
    await page.goto(`${stack.urls.console}exports`);
    await page.waitForURL(/\/oauth2\/v2\.0\/authorize/, { timeout: 20_000 });
    expect(authorize).toBeDefined();
    const query = authorize!.searchParams;
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('response_type')).toBe('code');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(query.get('redirect_uri')).toBe(stack.urls.console);
    expect(query.get('scope')?.split(' ')).toContain(`api://${CLIENT_ID}/access_as_user`);
    expect(errors.filter((text) => /Content Security Policy|Refused/.test(text))).toEqual([]);
  } finally {
    await page.close();
  }
}, 60_000);
