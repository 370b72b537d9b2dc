/**
 * `npm run bench:console`: the admin console's weight and speed. Prints the gzipped size of its
 * scripts and styles (what the browser loads on the local stack, and with the Entra ID chunk; target
 * ≤ 200 KB) and the time from opening the exports list to all 50 exports shown, in real Chromium on
 * the local stack (target ≤ 1 s; median of warm loads, and the first load).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole, CONSOLE_OUTPUT } from '../dev/buildConsole';
import { apiClient } from '../dev/demo/apiClient';
import { signLocalToken } from '../dev/localAuth';
import { startLocalStack } from '../dev/localStack';
import { readyConnection } from '../dev/readyConnection';
import { DEMO_ADVERTISABLES } from '../dev/simulator';
import { createExportStore } from '../shared/exports/exportStore';
import { getServices } from '../shared/services';
import { launchChromium } from '../test/support/browser';

const EXPORTS = 50;
const LOADS = 7;
const SIZE_TARGET_KB = 200;
const TIME_TARGET_MS = 1000;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function sizes() {
  const manifest = await buildConsole();
  const gzipped = (name: string) =>
    gzipSync(fs.readFileSync(path.join(CONSOLE_OUTPUT, 'assets', name)), { level: 9 }).length;
  const code = manifest.assets.filter((name) => /\.(js|css)$/.test(name));
  const entra = code.filter((name) => /^(entraSession|BrowserPerformanceMeasurement)-/.test(name));
  const all = code.reduce((sum, name) => sum + gzipped(name), 0);
  const local = code.filter((name) => !entra.includes(name)).reduce((sum, name) => sum + gzipped(name), 0);
  return { all, local };
}

async function listTimes(): Promise<{ first: number; warm: number[] }> {
  const stack = await startLocalStack({
    azuritePorts: { blob: 0, queue: 0, table: 0 },
    hostPort: 0,
    simulatorPort: 0,
    env: {},
  });
  const browser = await launchChromium();
  try {
    const admin = apiClient(
      stack.urls.api,
      await signLocalToken({ roles: ['Exports.Admin'], sub: 'bench', name: 'Bench' }),
    );
    const connection = await readyConnection(admin, { displayName: 'Bench RollWorks', access: 'admins' });
    const store = createExportStore(getServices().storage);
    const now = new Date().toISOString();
    for (let i = 1; i <= EXPORTS; i++) {
      await store.create({
        id: `exp_bench${String(i).padStart(3, '0')}`,
        displayName: `Bench export ${i}`,
        connectionId: connection.id,
        advertiserId: DEMO_ADVERTISABLES[0].eid,
        advertiserName: DEMO_ADVERTISABLES[0].name,
        emailField: 'Email',
        segments: ['newsletter'],
        hashEmails: true,
        schedule: { enabled: true },
        status: 'active',
        createdAt: now,
        updatedAt: now,
        createdBy: { id: 'bench', name: 'Bench' },
      });
    }
    const page = await browser.newPage();
    await page.goto(stack.urls.console);
    await page.getByLabel('Name').fill('Bench');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const times: number[] = [];
    for (let load = 0; load < LOADS; load++) {
      const started = Date.now();
      await page.goto(`${stack.urls.console}exports`);
      await page
        .locator('table.exports tbody tr')
        .nth(EXPORTS - 1)
        .waitFor();
      times.push(Date.now() - started);
    }
    return { first: times[0], warm: times.slice(1) };
  } finally {
    await browser.close();
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const { all, local } = await sizes();
  console.log(
    `console JS+CSS gzipped: ${kb(local)} loaded on the local stack, ${kb(all)} with the Entra ID chunk (target ≤ ${SIZE_TARGET_KB} KB)`,
  );
  const { first, warm } = await listTimes();
  console.log(
    `exports list with ${EXPORTS} exports shown in ${median(warm)} ms (median of ${warm.length} warm loads; first load ${first} ms; target ≤ ${TIME_TARGET_MS} ms)`,
  );
  const ok = all <= SIZE_TARGET_KB * 1024 && median(warm) <= TIME_TARGET_MS;
  console.log(ok ? 'within targets' : 'OVER TARGET');
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
