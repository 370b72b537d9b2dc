import { chromium, type Browser } from 'playwright-core';
import { BROWSER_VARIABLE, resolveChromium, type ChromiumLaunch } from './chromiumExecutable';

/**
 * Headless Chromium, as globalSetup resolved it (see resolveChromium). Fails, never skips, when no
 * browser can start: the error says which executable was tried.
 */
export async function launchChromium(chosen?: ChromiumLaunch): Promise<Browser> {
  const handed = process.env[BROWSER_VARIABLE];
  const launch = chosen ?? (handed ? (JSON.parse(handed) as ChromiumLaunch) : await resolveChromium());
  try {
    return await chromium.launch({
      executablePath: launch.executablePath,
      args: launch.args,
      headless: true,
    });
  } catch (error) {
    throw new Error(`Chromium did not start from ${launch.executablePath}: ${String(error)}`);
  }
}
