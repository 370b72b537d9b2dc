import fs from 'node:fs';
import { DEMO_ADVERTISABLES, DEMO_ORGANIZATION } from '../../dev/simulator';
import {
  checkPage,
  expectNothingSecret,
  asUser,
  authenticateWithRollWorks,
  startConsoleWorld,
  type ConsoleWorld,
} from './support/consoleWorld';

/**
 * An administrator sets up everything through the console in real Chromium, as the issue describes:
 * connection with consent, RollWorks sign-in, export user, an export with the pickers, a run watched
 * until it succeeds, its rejections downloaded, the history chart.
 */
let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld();
}, 180_000);
afterAll(() => world?.stop());

const ADVERTISER = DEMO_ADVERTISABLES[1];

it('an admin connects RollWorks, adds an export, runs it and reads the result', async () => {
  await asUser(world, 'Alice Admin', 'Exports.Admin', async (page) => {
    await checkPage(page, 'exports-empty');
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.getByRole('link', { name: 'Add connection' }).click();

    // Add connection: the API's refusal without consent is shown at "I agree"
    await page.getByLabel('Display name').fill('Contoso RollWorks');
    await page.getByLabel('Administrators and contributors').check();
    await page.getByRole('button', { name: 'Connect' }).click();
    const consentError = page.locator('#connection-consent-error');
    await consentError.waitFor();
    expect(await consentError.textContent()).toContain('outside the compliance boundary');
    expect(await page.getByLabel('I agree').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'add-connection-error');
    await page.getByLabel('I agree').check();
    await page.getByRole('button', { name: 'Connect' }).click();

    // Authenticate with RollWorks: their sign-in opens in a new window; the console notices the result
    await authenticateWithRollWorks(page);
    await page.getByText(`Signed in to the RollWorks organization ${DEMO_ORGANIZATION.name}`).waitFor();
    await page.getByRole('button', { name: 'Add yourself as export user' }).click();
    await page.getByText('Export user: Alice Admin.').waitFor();
    await checkPage(page, 'connection-ready');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.getByRole('cell', { name: 'Ready' }).waitFor();
    await checkPage(page, 'connections');

    // Add export with the pickers; a bad cron is shown at its field
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('link', { name: 'Add export' }).click();
    await page.getByLabel('Connection for export').selectOption({ label: 'Contoso RollWorks' });
    await page.getByLabel('Display name').fill('Paid social');
    await page.getByRole('button', { name: new RegExp(ADVERTISER.name) }).click();
    expect(await page.getByLabel('RollWorks Advertiser ID').inputValue()).toBe(ADVERTISER.eid);
    await expect(page.getByLabel(/^vip/).isDisabled()).resolves.toBe(true);
    await page.getByText('Fewer than 100 members: too small to export.').waitFor();
    await page.getByLabel(/^newsletter/).check();
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe('Email');
    expect(await page.getByLabel('Hash emails (MD5)').isChecked()).toBe(true);
    await page.getByLabel('Custom schedule (cron)').check();
    await page.getByLabel('Cron', { exact: true }).fill('0 0 25 * * *');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#schedule-cron-error').waitFor();
    expect(await page.getByLabel('Cron', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'add-export-error');
    await page.getByLabel('Cron', { exact: true }).fill('0 30 6 * * 1-5');
    await expect(page.locator('.next-runs li').count()).resolves.toBe(5);
    await checkPage(page, 'add-export');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Paid social' }).waitFor();

    // Run, and watch it succeed
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Run details' }).waitFor();
    await page.locator('.summary .status', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    const counts = await page.locator('table.counts td').allTextContents();
    expect(counts).toHaveLength(9);
    expect(Number(counts[0].replace(/,/g, ''))).toBe(1500);
    expect(await page.getByText(/Paid social · newsletter/).count()).toBeGreaterThan(0);
    await checkPage(page, 'run-details');
    await expectNothingSecret(page);

    // Download rejections: a CSV with masked emails only
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download rejections' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^rejections-run_\w+-newsletter\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/reason/);
    expect(csv.split('\n').length).toBeGreaterThan(2);

    // Two more runs after the segment changed upstream: a dry run, then a run sending the change
    await world.changeSegment('newsletter', 0.1);
    for (const action of ['Dry run', 'Run']) {
      await page.getByRole('link', { name: 'Paid social' }).click();
      await page.getByRole('button', { name: action, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Run details' }).waitFor();
      await page.locator('.summary .status', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    }
    const [added, removed] = (await page.locator('table.counts td').allTextContents()).slice(-2);
    expect(Number(added)).toBeGreaterThan(0);
    expect(Number(removed)).toBeGreaterThan(0);

    // Export history: the chart above the table
    await page.getByRole('link', { name: 'Paid social' }).click();
    await page.getByRole('heading', { level: 2, name: 'Export history' }).waitFor();
    await page.locator('figure.chart svg[role="img"]').waitFor();
    expect(await page.locator('figure.chart svg').getAttribute('aria-label')).toMatch(
      /^Last 3 runs\. Latest: succeeded/,
    );
    expect(await page.locator('figure.chart rect.run-status').count()).toBe(3);
    await checkPage(page, 'export-details');
    await expectNothingSecret(page);

    // Create duplicate: the form comes filled in; saving makes a second export
    await page.getByRole('link', { name: 'Create duplicate' }).click();
    await page.getByRole('heading', { level: 1, name: 'Add export' }).waitFor();
    const name = page.getByLabel('Display name');
    await expect(name.inputValue()).resolves.toBe('Copy of Paid social');
    await name.fill('Email newsletter');
    await page.getByLabel('System refresh').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Email newsletter' }).waitFor();

    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('cell', { name: 'Email newsletter' }).waitFor();
    await page.getByRole('cell', { name: 'Never' }).waitFor();
    await checkPage(page, 'exports');
    await page.getByLabel('Search').fill('paid');
    await expect(page.locator('table.exports tbody tr').count()).resolves.toBe(1);

    // Remove asks first
    await page.getByLabel('Search').fill('');
    await page.getByRole('link', { name: 'Email newsletter' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('button', { name: 'Remove export' }).click();
    await page.getByRole('heading', { level: 1, name: 'Exports' }).waitFor();
    await page.getByRole('cell', { name: 'Paid social' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Email newsletter' }).count()).toBe(0);
  });
}, 180_000);
