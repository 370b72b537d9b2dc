import { startAzurite } from '../../dev/azurite';
import { buildConsole } from '../../dev/buildConsole';
import { BROWSER_VARIABLE, resolveChromium } from './chromiumExecutable';
import { SHARED_STORAGE_VARIABLE } from './sharedAzurite';

/** Runs once before all test files, in the jest parent process; workers inherit its environment. */
export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`Tests need Node 22 (found ${process.version}); run them with npm test.`);

  if (!process.env[SHARED_STORAGE_VARIABLE]) {
    const azurite = await startAzurite();
    process.env[SHARED_STORAGE_VARIABLE] = azurite.connectionString;
    (globalThis as { __sharedAzurite?: { stop(): Promise<void> } }).__sharedAzurite = azurite;
  }
  // The console function serves dist/console; built once here so no test serves a stale or half-written one.
  await buildConsole();
  // Unpacked here, once, so that parallel workers never race on a half-written executable.
  if (!process.env[BROWSER_VARIABLE]) {
    process.env[BROWSER_VARIABLE] = JSON.stringify(await resolveChromium());
  }
}
