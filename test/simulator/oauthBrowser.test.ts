import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import {
  DEMO_ADVERTISABLES,
  DEMO_USER,
  DEFAULT_CLIENT,
  startSimulator,
  type RunningSimulator,
} from '../../dev/simulator';
import { callApi, plainEmails, postToken } from './simulatorClient';
import { launchChromium } from '../support/browser';

let sim: RunningSimulator;
let browser: Browser;
let callbackServer: http.Server;
let redirectUri: string;

beforeAll(async () => {
  sim = await startSimulator();
  // The app's callback stand-in: answers every request with a small page.
  callbackServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<p>callback reached</p>');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/api/oauth/rollworks/callback`;
  // Fails (never skips) when Chromium is missing.
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => callbackServer?.close(resolve));
  await sim?.stop();
});

function authorizeUrl(state: string): string {
  const url = new URL('/auth/authorize', sim.url);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: DEFAULT_CLIENT.clientId,
    redirect_uri: redirectUri,
    state,
    scope: 'all',
  }).toString();
  return url.toString();
}

it('signs in, allows access, and the code it lands with gives a token that creates and reads a CRM audience', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(authorizeUrl('browser-state-1'));
    await page.screenshot({ path: '/tmp/simulator-signin.png', fullPage: true });
    await page.getByLabel('Username').fill(DEMO_USER.username);
    await page.getByLabel('Password').fill(DEMO_USER.password);
    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/callback')),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);

    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).toBe(redirectUri);
    expect(landed.searchParams.get('state')).toBe('browser-state-1');
    expect(await page.textContent('body')).toContain('callback reached');
    const code = landed.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const exchange = await postToken(sim, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    });
    expect(exchange.status).toBe(200);
    const token = exchange.body.access_token as string;

    const created = await callApi(sim, 'POST', '/audience/v1/segments', {
      token,
      body: {
        advertiser_id: DEMO_ADVERTISABLES[0].eid,
        name: 'Browser audience',
        type: 'crm',
        data: plainEmails(100),
      },
    });
    expect(created.status).toBe(200);
    const read = await callApi(sim, 'GET', `/audience/v1/segments/${created.body.segment!.segment_id}`, {
      token,
    });
    expect(read.body.segment).toMatchObject({ name: 'Browser audience', type: 'crm', emails: 100 });
  } finally {
    await page.close();
  }
});

it('shows an error on a wrong password submitted with Enter and stays on the sign-in page', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(authorizeUrl('browser-state-2'));
    await page.getByLabel('Username').fill(DEMO_USER.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByLabel('Password').press('Enter'); // Enter submits with Allow, not Deny
    await expectAlert(page, 'username or password is incorrect');
    expect(new URL(page.url()).pathname).toBe('/auth/authorize');
  } finally {
    await page.close();
  }
});

it('redirects Deny with error=access_denied', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(authorizeUrl('browser-state-3'));
    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith('/callback')),
      page.getByRole('button', { name: 'Deny' }).click(),
    ]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('browser-state-3');
    expect(landed.searchParams.has('code')).toBe(false);
  } finally {
    await page.close();
  }
});

async function expectAlert(page: import('playwright-core').Page, text: string): Promise<void> {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.textContent()).toContain(text);
}
