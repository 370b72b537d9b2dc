import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signLocalToken } from '../../dev/localAuth';
import { DEMO_ORGANIZATION, DEMO_USER } from '../../dev/simulator';
import { startTestStack, type TestStack } from '../support/stack';
import { launchChromium } from '../support/browser';

const FILES = ['http.ts'].map((file) => path.resolve(__dirname, '../../functions', file));

let stack: TestStack;
let browser: Browser;
let adminToken: string;

beforeAll(async () => {
  stack = await startTestStack({ files: FILES });
  // The same signing key `npm run token` uses, so the stack's published JWKS accepts it.
  adminToken = await signLocalToken({ roles: ['Exports.Admin'], sub: 'alice-oid', name: 'Alice' });
  // Fails (never skips) when Chromium is missing.
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function api(method: string, apiPath: string, body?: unknown) {
  const response = await stack.fetch(apiPath, {
    method,
    headers: {
      Authorization: `Bearer ${adminToken}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Opens RollWorks' sign-in page, signs in as the demo user, presses a button; returns the callback response. */
async function signIn(page: Page, authorizeUrl: string, button: 'Allow' | 'Deny') {
  await page.goto(authorizeUrl);
  await page.fill('#username', DEMO_USER.username);
  await page.fill('#password', DEMO_USER.password);
  const [callback] = await Promise.all([
    page.waitForResponse((response) => response.url().includes('/api/oauth/rollworks/callback')),
    page.click(`button:has-text("${button}")`),
  ]);
  await page.waitForLoadState();
  return callback;
}

it('walks the whole flow: create → authorize → RollWorks sign-in → Allow → authorized page → export user → ready', async () => {
  const created = await api('POST', '/api/connections', {
    displayName: 'Contoso RollWorks',
    access: 'adminsAndContributors',
    dataPrivacyConsent: true,
  });
  expect(created).toMatchObject({ status: 201, json: { status: 'pendingAuthorization' } });
  const id = created.json.id as string;

  const authorize = await api('POST', `/api/connections/${id}/authorize`);
  expect(authorize.status).toBe(200);
  expect(authorize.json.authorizeUrl.startsWith(`${stack.urls.rollworks}/auth/authorize?`)).toBe(true);

  const page = await browser.newPage();
  try {
    const callback = await signIn(page, authorize.json.authorizeUrl, 'Allow');
    expect(callback.status()).toBe(200);
    expect(await page.title()).toBe('Connection authorized');
    const text = await page.textContent('body');
    expect(text).toContain('Contoso RollWorks');
    expect(text).toContain(DEMO_ORGANIZATION.name);
    expect(await page.textContent('#status')).toBe('authorized');
    expect(text).not.toContain(new URL(page.url()).searchParams.get('code')!);
  } finally {
    await page.close();
  }

  expect((await api('GET', `/api/connections/${id}`)).json).toMatchObject({
    status: 'authorized',
    rollworks: { organizationId: DEMO_ORGANIZATION.eid, organizationName: DEMO_ORGANIZATION.name },
  });
  const exportUser = await api('POST', `/api/connections/${id}/export-user`);
  expect(exportUser.json).toMatchObject({ status: 'ready', exportUser: { id: 'alice-oid', name: 'Alice' } });
  expect((await api('GET', `/api/connections/${id}`)).json.status).toBe('ready');
});

it('pressing Deny shows a 400 page and leaves the connection pending with lastError', async () => {
  const created = await api('POST', '/api/connections', {
    displayName: 'Denied RollWorks',
    access: 'admins',
    dataPrivacyConsent: true,
  });
  const id = created.json.id as string;
  const authorize = await api('POST', `/api/connections/${id}/authorize`);
  const page = await browser.newPage();
  try {
    const callback = await signIn(page, authorize.json.authorizeUrl, 'Deny');
    expect(callback.status()).toBe(400);
    expect(await page.textContent('body')).toContain('pressed Deny');
    expect(await page.textContent('#error-code')).toBe('AUTHORIZATION_DENIED');
  } finally {
    await page.close();
  }
  expect((await api('GET', `/api/connections/${id}`)).json).toMatchObject({
    status: 'pendingAuthorization',
    lastError: { code: 'AUTHORIZATION_DENIED' },
  });
});
