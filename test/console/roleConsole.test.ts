import { signLocalToken } from '../../dev/localAuth';
import { apiClient, type ApiClient } from '../../dev/demo/apiClient';
import { readyConnection } from '../../dev/readyConnection';
import { getServices } from '../../shared/services';
import { DEMO_ADVERTISABLES, DEMO_ORGANIZATION } from '../../dev/simulator';
import {
  checkPage,
  expectNothingSecret,
  asUser,
  authenticateWithRollWorks,
  startConsoleWorld,
  type ConsoleWorld,
} from './support/consoleWorld';

/** Each role sees only what the API lets it do; bad input shows at its field. */
let world: ConsoleWorld;
let admin: ApiClient;
let runId: string;
let connections: { shared: string; adminsOnly: string };

const exportBody = (displayName: string, connectionId: string) => ({
  displayName,
  connectionId,
  advertiserId: DEMO_ADVERTISABLES[0].eid,
  emailField: 'Email',
  segments: ['newsletter'],
});

beforeAll(async () => {
  world = await startConsoleWorld();
  admin = apiClient(
    world.stack.urls.api,
    await signLocalToken({ roles: ['Exports.Admin'], sub: 'admin', name: 'Ada' }),
  );
  const shared = await readyConnection(admin, {
    displayName: 'Shared RollWorks',
    access: 'adminsAndContributors',
  });
  const adminsOnly = await readyConnection(admin, { displayName: 'Admin RollWorks', access: 'admins' });
  connections = { shared: shared.id, adminsOnly: adminsOnly.id };
  const sharedExport = await admin.expect<{ id: string }>(
    201,
    'POST',
    '/exports',
    exportBody('Shared export', shared.id),
  );
  await admin.expect(201, 'POST', '/exports', exportBody('Admin export', adminsOnly.id));
  runId = (await admin.expect<{ id: string }>(202, 'POST', `/exports/${sharedExport.id}/runs`, {})).id;
  for (
    let status = '';
    !['succeeded', 'failed'].includes(status);
    await new Promise((r) => setTimeout(r, 300))
  ) {
    status = (await admin.expect<{ status: string }>(200, 'GET', `/runs/${runId}`)).status;
  }
}, 180_000);
afterAll(() => world?.stop());

const button = (name: string) => ({ name, exact: true });

it('GET /api/connections/{id}/advertisers answers contributors for shared connections only', async () => {
  const contributor = apiClient(
    world.stack.urls.api,
    await signLocalToken({ roles: ['Exports.Contributor'], sub: 'carla', name: 'Carla' }),
  );
  expect(await contributor.expect(200, 'GET', `/connections/${connections.shared}/advertisers`)).toEqual({
    advertisers: DEMO_ADVERTISABLES.map(({ eid, name }) => ({ id: eid, name })),
    segmentLimits: { minProfiles: 100, maxProfiles: 250_000 },
  });
  const hidden = await contributor.call<{ code: string }>(
    'GET',
    `/connections/${connections.adminsOnly}/advertisers`,
  );
  expect(hidden).toMatchObject({ status: 404, body: { code: 'CONNECTION_NOT_FOUND' } });
});

it('a contributor sees the shared connection only, edits and runs exports on it, not the others', async () => {
  await asUser(world, 'Carla Contributor', 'Exports.Contributor', async (page) => {
    await page.getByRole('cell', { name: 'Admin export' }).waitFor();
    const rows = await page.locator('table.exports tbody tr').allTextContents();
    expect(rows.find((row) => row.startsWith('Shared export'))).toMatch(/Edit, run$/);
    expect(rows.find((row) => row.startsWith('Admin export'))).toMatch(/View$/);
    await checkPage(page, 'contributor-exports');

    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('cell', { name: 'Shared RollWorks' }).waitFor();
    expect(await page.getByText('Admin RollWorks').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Add connection' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await checkPage(page, 'contributor-connections');

    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('link', { name: 'Admin export' }).click();
    await page.getByRole('heading', { level: 2, name: 'Export history' }).waitFor();
    for (const name of ['Run', 'Dry run', 'Remove'])
      expect(await page.getByRole('button', button(name)).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);

    // Add export: only the shared connection; an empty name is refused at Display name
    await page.getByRole('link', { name: 'Exports' }).click();
    await page.getByRole('link', { name: 'Add export' }).click();
    await page.getByRole('combobox', { name: 'Connection for export' }).waitFor();
    const options = await page.getByLabel('Connection for export').locator('option').allTextContents();
    expect(options).toEqual(['Choose a connection', 'Shared RollWorks']);
    await page.getByLabel('Connection for export').selectOption({ label: 'Shared RollWorks' });
    await page.getByRole('button', { name: new RegExp(DEMO_ADVERTISABLES[0].name) }).click();
    await page.getByLabel(/^newsletter/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#export-name-error').waitFor();
    expect(await page.getByLabel('Display name').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'contributor-add-export-error');
  });
}, 120_000);

it('a viewer reads exports and runs and downloads rejections, but runs and changes nothing', async () => {
  await asUser(world, 'Vera Viewer', 'Exports.Viewer', async (page) => {
    expect(await page.getByRole('link', { name: 'Connections' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Add export' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Shared export' }).click();
    await page.getByRole('heading', { level: 2, name: 'Export history' }).waitFor();
    for (const name of ['Run', 'Dry run', 'Cancel', 'Remove']) {
      expect(await page.getByRole('button', button(name)).count()).toBe(0);
    }
    expect(await page.getByRole('link', { name: 'Create duplicate' }).count()).toBe(0);
    await checkPage(page, 'viewer-export-details');
    await page.locator('table a').first().click();
    await page.getByRole('button', { name: 'Download rejections' }).waitFor();
    await checkPage(page, 'viewer-run-details');
    await expectNothingSecret(page);
  });
}, 120_000);

it('a runner starts runs and reads them, without connections, changes or rejection reports', async () => {
  await asUser(world, 'Rui Runner', 'Exports.Runner', async (page) => {
    expect(await page.getByRole('link', { name: 'Connections' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Shared export' }).click();
    await page.getByRole('button', button('Run')).waitFor();
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', button('Remove')).count()).toBe(0);
    await page.getByRole('button', button('Dry run')).click();
    await page.getByRole('heading', { level: 1, name: 'Run details' }).waitFor();
    await page.locator('.summary .status', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
    expect(await page.getByText('Dry run: the segment was read and compared').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Download rejections' }).count()).toBe(0);
    await checkPage(page, 'runner-run-details');
  });
}, 120_000);

it('the local sign-in shows a missing name at its field', async () => {
  const context = await world.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(world.stack.urls.console);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-name-error').waitFor();
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'sign-in-error');
  } finally {
    await context.close();
  }
});

it('an admin renames a connection, and removes one choosing for its export: Detach connection', async () => {
  await asUser(world, 'Ada Admin', 'Exports.Admin', async (page) => {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page
      .getByRole('row', { name: /Shared RollWorks/ })
      .getByRole('link', { name: 'Edit' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Edit connection' }).waitFor();
    await page.getByLabel('Display name').fill('Shared RollWorks EU');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'Shared RollWorks EU' }).waitFor();

    await page
      .getByRole('row', { name: /Admin RollWorks/ })
      .getByRole('link', { name: 'Remove' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Remove connection' }).waitFor();
    const choice = page.getByRole('group', { name: 'Admin export' });
    await choice.getByLabel('Remove').waitFor();
    await choice.getByLabel('Detach connection').check();
    await checkPage(page, 'remove-connection');
    await page.getByRole('button', { name: 'Remove connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.getByRole('cell', { name: 'Shared RollWorks EU' }).waitFor();
    expect(await page.getByRole('cell', { name: 'Admin RollWorks' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Exports' }).click();
    const detached = page.getByRole('row', { name: /Admin export/ });
    await detached.getByText('Inactive').waitFor();
    expect(await detached.getByRole('cell', { name: 'None' }).count()).toBe(1);
  });
}, 120_000);

it('a connection RollWorks no longer accepts says so, and signing in again makes it ready', async () => {
  world.stack.simulator!.state.reset(); // RollWorks forgets every token it issued
  const refused = await admin.call<{ code: string }>('GET', `/connections/${connections.shared}/advertisers`);
  expect(refused).toMatchObject({ status: 422, body: { code: 'CONNECTION_REAUTHORIZATION_REQUIRED' } });
  await asUser(world, 'Ada Admin', 'Exports.Admin', async (page) => {
    await page.getByRole('link', { name: 'Connections' }).click();
    const row = page.getByRole('row', { name: /Shared RollWorks EU/ });
    await row.getByText('Needs signing in again').waitFor();
    await checkPage(page, 'connections-reauthorization');
    await row.getByRole('link', { name: 'Sign in again' }).click();
    await page.getByText('RollWorks no longer accepts this connection').waitFor();
    await authenticateWithRollWorks(page);
    await page.getByText(`Signed in to the RollWorks organization ${DEMO_ORGANIZATION.name}`).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('row', { name: /Shared RollWorks EU/ })
      .getByText('Ready')
      .waitFor();
  });
}, 120_000);

it('a run waiting for the daily RollWorks budget shows when it resumes, and Cancel ends it', async () => {
  const budget = getServices().requestBudget; // the app's budget, in this process with the host
  while ((await budget.tryConsume(1)).ok);
  await world.changeSegment('newsletter', 0.05); // so the run has members to send
  await asUser(world, 'Ada Admin', 'Exports.Admin', async (page) => {
    await page.getByRole('link', { name: 'Shared export' }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page
      .getByText(/^Waiting for the daily RollWorks request budget: resumes at /)
      .waitFor({ timeout: 60_000 });
    await checkPage(page, 'run-waiting-for-quota');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.locator('.summary .status', { hasText: 'Canceled' }).waitFor();
    await page.getByText(/The run was canceled by Ada Admin/).waitFor();
  });
}, 120_000);
