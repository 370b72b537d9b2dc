import { createHash } from 'node:crypto';
import { signLocalToken } from '../../dev/localAuth';
import { apiClient } from '../../dev/demo/apiClient';
import { readyConnection } from '../../dev/readyConnection';
import { DEMO_ADVERTISABLES } from '../../dev/simulator';
import { createStorageClients } from '../../shared/storage/clients';
import { loadConfig } from '../../shared/config/config';
import {
  asUser,
  checkPage,
  expectNothingSecret,
  startConsoleWorld,
  type ConsoleWorld,
} from './support/consoleWorld';

/**
 * The data controls of #14 through the console in real Chromium: a suppression list uploaded as a
 * file, an export with a consent filter that runs when its data changes, and Remove that
 * deactivates the audience at RollWorks.
 */
let world: ConsoleWorld;

const ROWS = 300;
const email = (i: number) => `person${i}@example.com`;
/** Every third profile has not consented; three consenting ones are suppressed. */
const consented = (i: number) => i % 3 !== 0;
const SUPPRESSED = [1, 2, 4];
const md5 = (value: string) => createHash('md5').update(value).digest('hex');

beforeAll(async () => {
  world = await startConsoleWorld();
  const container = createStorageClients(loadConfig({ ...world.stack.settings })).segmentsContainer();
  const lines = Array.from({ length: ROWS }, (_, i) => `${email(i)},${consented(i) ? 'Yes' : 'no'}`);
  const csv = `Email,MarketingConsent\n${lines.join('\n')}\n`;
  await container.getBlockBlobClient('consented/part-00000.csv').upload(csv, Buffer.byteLength(csv));
  const admin = apiClient(
    world.stack.urls.api,
    await signLocalToken({ roles: ['Exports.Admin'], sub: 'admin', name: 'Ada' }),
  );
  await readyConnection(admin, { displayName: 'Data RollWorks', access: 'admins' });
}, 180_000);
afterAll(() => world?.stop());

it('an admin suppresses people, filters by consent, follows data changes and deactivates on remove', async () => {
  await asUser(world, 'Dana Admin', 'Exports.Admin', async (page) => {
    // Suppression list: a text file of emails, one line not an email
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { level: 2, name: 'Suppression list' }).waitFor();
    await page.getByText('The list is empty.').waitFor();
    const list = [...SUPPRESSED.map(email), 'not an email'].join('\n');
    await page
      .getByLabel('Suppression list file')
      .setInputFiles({ name: 'opt-outs.txt', mimeType: 'text/plain', buffer: Buffer.from(list) });
    await page.getByRole('button', { name: 'Upload list' }).click();
    await page.getByText('3 accepted, 0 duplicates, 1 rejected.').waitFor();
    await page.getByText(/^Line 4: /).waitFor();
    await page.getByText(/^3 suppressed, updated .* by Dana Admin\.$/).waitFor();
    await checkPage(page, 'suppression-list');
    await expectNothingSecret(page);

    // An export with consent, run when its data changes
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('link', { name: 'Add export' }).click();
    await page.getByLabel('Connection for export').selectOption({ label: 'Data RollWorks' });
    await page.getByLabel('Display name').fill('Consented');
    await page.getByRole('button', { name: new RegExp(DEMO_ADVERTISABLES[0].name) }).click();
    await page.getByLabel(/^consented/).check();
    await page.getByLabel('Send only profiles with consent').check();
    await page.getByLabel('Consent field').selectOption('MarketingConsent');
    await page.getByLabel('Accepted values').fill('yes, true');
    await page.getByLabel('When the segment data changes').check();
    await page.getByLabel('Minutes between runs, at least').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#schedule-min-interval-error').waitFor();
    await checkPage(page, 'consent-export-error');
    await page.getByLabel('Minutes between runs, at least').fill('30');
    await checkPage(page, 'consent-export');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Consented' }).waitFor();
    await page.getByText('When the segment data changes').waitFor();

    // Run: non-consenting and suppressed people are counted, never sent
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Run details' }).waitFor();
    await page.locator('.summary .status', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    const headers = await page.locator('table.counts th').allTextContents();
    const cells = (await page.locator('table.counts td').allTextContents()).map((text) =>
      Number(text.replace(/,/g, '')),
    );
    const counts = Object.fromEntries(headers.map((header, i) => [header, cells[i]]));
    expect(counts).toMatchObject({ Read: ROWS, Suppressed: 3, 'Without consent': ROWS / 3, Sent: 197 });
    await checkPage(page, 'consent-run');
    const simulator = world.stack.simulator!.state;
    const [audience] = [...simulator.audiences.values()];
    const members = new Set(audience.members);
    expect(members.size).toBe(197);
    for (let i = 0; i < ROWS; i++)
      expect(members.has(md5(email(i)))).toBe(consented(i) && !SUPPRESSED.includes(i));

    // Remove, deactivating the audience at RollWorks
    await page.getByRole('link', { name: 'Consented' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByLabel('Deactivate them in RollWorks').check();
    await checkPage(page, 'remove-export');
    await page.getByRole('button', { name: 'Remove export' }).click();
    await page.getByRole('heading', { level: 1, name: 'Removed audiences' }).waitFor();
    await page.getByText('The export was removed; nothing of it is sent again.').waitFor();
    await page.getByRole('cell', { name: 'Deactivated' }).waitFor({ timeout: 60_000 });
    await checkPage(page, 'removed-audiences');
    await world.stack.waitFor(
      () => simulator.audiences.get(audience.id)?.deleted === true,
      'the audience deactivated at RollWorks',
      60_000,
    );
  });
}, 180_000);
