import fs from 'node:fs';
import { launchChromium } from '../support/browser';
import { resolveChromium } from '../support/chromiumExecutable';

it("starts a browser without CHROMIUM_PATH (Debian's where installed, else the npm package's), without weakening flags", async () => {
  const launch = await resolveChromium({ PATH: process.env.PATH });
  expect(fs.existsSync(launch.executablePath)).toBe(true);
  expect(launch.args).not.toContain('--disable-web-security');
  expect(launch.args).not.toContain('--single-process');
  const browser = await launchChromium(launch);
  try {
    const page = await browser.newPage();
    await page.setContent('<main><h1>ready</h1></main>');
    expect(await page.getByRole('heading').textContent()).toBe('ready');
  } finally {
    await browser.close();
  }
});

it('prefers CHROMIUM_PATH, and fails (never skips) when that browser cannot start', async () => {
  const launch = await resolveChromium({ CHROMIUM_PATH: '/nonexistent/chromium' });
  expect(launch.executablePath).toBe('/nonexistent/chromium');
  await expect(launchChromium(launch)).rejects.toThrow(/Chromium did not start from \/nonexistent\/chromium/);
});
