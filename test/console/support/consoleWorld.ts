import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { generateSegment, mutateSegment } from '../../../dev/segmentGenerator';
import { DEMO_USER } from '../../../dev/simulator';
import { createStorageClients } from '../../../shared/storage/clients';
import { loadConfig } from '../../../shared/config/config';
import { launchChromium } from '../../support/browser';
import { startTestStack, type TestStack } from '../../support/stack';

export const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts/console');

/** Segments the console tests export: one to send, one too small to choose. */
export const SEGMENTS = { newsletter: 1500, vip: 60 } as const;

export interface ConsoleWorld {
  stack: TestStack;
  browser: Browser;
  /** Changes a share of a segment's members, as the upstream platform would between runs. */
  changeSegment(name: string, share: number): Promise<void>;
  stop(): Promise<void>;
}

/** The whole app on the local stack (short queue polling), its segments, and Chromium. */
export async function startConsoleWorld(): Promise<ConsoleWorld> {
  const stack = await startTestStack({ queues: { maxPollingIntervalMs: 200, visibilityTimeoutMs: 5000 } });
  const container = createStorageClients(loadConfig({ ...stack.settings })).segmentsContainer();
  await container.createIfNotExists();
  for (const [name, rows] of Object.entries(SEGMENTS)) {
    await generateSegment(container, name, rows, {
      invalidEmailShare: 0.02,
      writeManifest: true,
      seed: rows,
    });
  }
  const browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    stack,
    browser,
    async changeSegment(name, share) {
      await mutateSegment(container, name, { share });
    },
    async stop() {
      await browser.close();
      await stack.stop();
    },
  };
}

/** A browser tab signed in through the local sign-in page; every policy violation it reports is kept. */
export async function signIn(world: ConsoleWorld, name: string, role: string) {
  const context = await world.browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1280, height: 640 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // The API's expected 4xx answers are logged by the browser too; the test checks those itself.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(world.stack.urls.console);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  try {
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor({ timeout: 15_000 });
  } catch (error) {
    await page.screenshot({ path: path.join(ARTIFACTS, `sign-in-failed-${role}.png`) });
    throw new Error(
      `${String(error)}\nBrowser errors: ${problems.join('\n')}\n${await page.textContent('body')}`,
    );
  }
  return { page, problems, close: () => context.close() };
}

/** Runs `steps` in a tab signed in as `name` with `role`; fails on any error the page reports. */
export async function asUser(
  world: ConsoleWorld,
  name: string,
  role: string,
  steps: (page: Page) => Promise<void>,
): Promise<void> {
  const { page, problems, close } = await signIn(world, name, role);
  try {
    await steps(page);
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}

/** Saves the page's screenshot and fails on any serious or critical accessibility violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
  expect({ page: name, serious }).toEqual({ page: name, serious: [] });
}

/** Text on the page must never hold an email address, a 32-hex digest or a JWT. */
export async function expectNothingSecret(page: Page): Promise<void> {
  const text = await page.content();
  expect(text).not.toMatch(/[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/i);
  expect(text).not.toMatch(/\b[a-f0-9]{32}\b/i);
  expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
}

/** Presses Authenticate with RollWorks and signs in as the demo user in the window it opens. */
export async function authenticateWithRollWorks(page: Page): Promise<void> {
  const [signInPage] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('button', { name: 'Authenticate with RollWorks' }).click(),
  ]);
  await signInPage.waitForLoadState();
  await signInPage.fill('#username', DEMO_USER.username);
  await signInPage.fill('#password', DEMO_USER.password);
  await signInPage.click('button:has-text("Allow")');
  await signInPage.waitForURL(/oauth\/rollworks\/callback/);
  await signInPage.close();
}
