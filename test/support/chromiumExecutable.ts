import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

/** Name of the variable through which globalSetup hands the resolved browser to the test workers. */
export const BROWSER_VARIABLE = 'TEST_CHROMIUM_LAUNCH';

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const QUIET_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// @sparticuz/chromium's flags are meant for Lambda. The first two would hide what a real browser enforces
// (same-origin, mixed content); in a single process the browser exits when its last page closes.
const DROPPED_ARGS = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--single-process',
]);

/**
 * The browser for the tests: `CHROMIUM_PATH`, else Debian's Chromium where it is installed, else the
 * build that the npm package @sparticuz/chromium ships (unpacked once into the temp folder). The package
 * is ESM-only, so it is asked in a child Node process rather than through jest's module system.
 */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumLaunch> {
  const chosen = env.CHROMIUM_PATH || (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
  if (chosen) return { executablePath: chosen, args: QUIET_ARGS };

  const script = [
    "const { default: chromium } = await import('@sparticuz/chromium');",
    'const executablePath = await chromium.executablePath();',
    'process.stdout.write(JSON.stringify({ executablePath, args: chromium.args }));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: __dirname,
    timeout: 60_000,
  });
  const packaged = JSON.parse(stdout) as ChromiumLaunch;
  const args = packaged.args.filter((arg) => !DROPPED_ARGS.has(arg));
  return {
    executablePath: packaged.executablePath,
    args: [...args, '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  };
}
