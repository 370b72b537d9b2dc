import fs from 'node:fs';
import path from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadConfig } from '../../shared/config/config';
import { disposeApp } from '../../shared/services';
import { consoleSignIn } from '../../shared/console/consoleSignIn';
import { serveConsole } from '../../shared/console/serveConsole';
import { startTestStack, type TestStack } from '../support/stack';
import { testSettings } from '../worker/fakes/testConfig';

const LOCAL = testSettings({ PUBLIC_BASE_URL: 'https://exports.contoso.example' });
const ENTRA = {
  ...LOCAL,
  AUTH_MODE: 'entra',
  ENTRA_ISSUER: 'https://login.microsoftonline.com/tenant-1/v2.0',
  ENTRA_AUDIENCE: '11111111-2222-3333-4444-555555555555',
};
const manifest = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../dist/console/manifest.json'), 'utf8'),
);

async function get(consolePath: string, settings: Record<string, string> = LOCAL) {
  const saved = { ...process.env };
  Object.assign(process.env, settings);
  disposeApp();
  try {
    const response = await serveConsole(
      new HttpRequest({
        method: 'GET',
        url: `http://127.0.0.1/api/console/${consolePath}`,
        params: { path: consolePath },
      }),
      new InvocationContext({ functionName: 'console', logHandler: () => undefined }),
    );
    return { ...response, headers: response.headers as Record<string, string>, text: String(response.body) };
  } finally {
    process.env = saved;
    disposeApp();
  }
}

describe('the console page and its assets', () => {
  it('serves one page for every console path, with a strict policy and no caching', async () => {
    for (const consolePath of ['', 'exports', 'runs/run_abc']) {
      const page = await get(consolePath);
      expect(page.status).toBe(200);
      expect(page.headers['Content-Type']).toBe('text/html; charset=utf-8');
      expect(page.headers['Cache-Control']).toBe('no-cache');
      expect(page.headers['X-Content-Type-Options']).toBe('nosniff');
      const policy = page.headers['Content-Security-Policy'];
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/unsafe-|data:|https?:/);
    }
    const html = (await get('')).text;
    expect(html).toContain(`<script type="module" src="/api/console/assets/${manifest.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/api/console/assets/${manifest.style}">`);
    expect(html.match(/<script\b[^>]*>/g)).toHaveLength(1); // the one module script, no inline code
    expect(html).not.toMatch(/<style\b|\sstyle=|\son\w+=/i);
  });

  it('serves the hashed assets the manifest lists as immutable, and nothing else', async () => {
    expect(manifest.script).toMatch(/^main-[A-Z0-9]{8}\.js$/);
    expect(manifest.style).toMatch(/^main-[A-Z0-9]{8}\.css$/);
    const script = await get(`assets/${manifest.script}`);
    expect(script.status).toBe(200);
    expect(script.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['Cache-Control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['X-Content-Type-Options']).toBe('nosniff');
    expect((await get(`assets/${manifest.style}`)).headers['Content-Type']).toBe('text/css; charset=utf-8');
    for (const missing of ['assets/main-AAAAAAAA.js', 'assets/../manifest.json', 'assets/manifest.json']) {
      expect((await get(missing)).status).toBe(404);
    }
  });

  it('hands the page Entra ID settings derived from ENTRA_*, and lets the browser reach the authority', async () => {
    const page = await get('', ENTRA);
    const meta = /<meta name="console-sign-in" content="([^"]+)">/
      .exec(page.text)![1]
      .replace(/&quot;/g, '"');
    expect(JSON.parse(meta)).toEqual({
      mode: 'entra',
      clientId: ENTRA.ENTRA_AUDIENCE,
      authority: 'https://login.microsoftonline.com/tenant-1',
      scopes: [`api://${ENTRA.ENTRA_AUDIENCE}/access_as_user`],
      redirectUri: 'https://exports.contoso.example/api/console/',
    });
    expect(page.headers['Content-Security-Policy']).toContain(
      "connect-src 'self' https://login.microsoftonline.com",
    );
    expect(page.headers['Content-Security-Policy']).toContain('frame-src https://login.microsoftonline.com');
    expect(
      consoleSignIn(
        loadConfig({ ...ENTRA, CONSOLE_CLIENT_ID: 'spa-1', CONSOLE_API_SCOPE: 'api://x/.default' }),
      ),
    ).toMatchObject({ clientId: 'spa-1', scopes: ['api://x/.default'] });
  });

  it('refuses local sign-in when the app runs in Azure', () => {
    expect(consoleSignIn(loadConfig(LOCAL))).toEqual({ mode: 'local', tokenUrl: '/local-auth/token' });
    expect(consoleSignIn(loadConfig({ ...LOCAL, WEBSITE_SITE_NAME: 'rwx-prod' }))).toEqual({
      mode: 'unavailable',
      message: expect.stringMatching(
        /^Local sign-in is refused: the app runs in Azure \(WEBSITE_SITE_NAME is set\)/,
      ),
    });
  });
});

describe('the local sign-in token route (local stack only)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      files: [path.resolve(__dirname, '../../functions/http.ts')],
      sharedStorage: true,
    });
  }, 120_000);
  afterAll(() => stack?.stop());

  const post = (body: unknown) =>
    stack.fetch('/local-auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('issues a token for a name and a role that the API accepts', async () => {
    const response = await post({ name: 'Alice Admin', role: 'Exports.Viewer' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { accessToken } = (await response.json()) as { accessToken: string };
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({
      name: 'Alice Admin',
      roles: ['Exports.Viewer'],
      sub: 'local-alice-admin',
    });
    const exports = await stack.fetch('/api/exports', {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(exports.status).toBe(200);
  });

  it('refuses a missing name or an unknown role, naming the field, and anything but POST', async () => {
    expect(await (await post({ name: ' ', role: 'Exports.Admin' })).json()).toMatchObject({ field: 'name' });
    const badRole = await post({ name: 'Mallory', role: 'Exports.Owner' });
    expect(badRole.status).toBe(422);
    expect(await badRole.json()).toMatchObject({ field: 'role' });
    expect((await stack.fetch('/local-auth/token')).status).toBe(405);
  });
});
