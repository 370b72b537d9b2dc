import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { startAzurite, type AzuriteInstance } from './azurite';
import { azuriteConnectionString } from '../shared/storage/clients';
import type { LocalFunctionsHost } from './localHost/host';
import type { QueueSettings } from './localHost/hostConfig';
import type { HostLog } from './localHost/invoker';
import type { Settings } from './localSettings';
import { DEFAULT_CLIENT, startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';

export interface LocalStackOptions {
  /** Azurite ports; 0 picks free ones. Default 10000-10002. */
  azuritePorts?: { blob: number; queue: number; table: number };
  /** Local Functions host port; default 7071, 0 picks a free one. */
  hostPort?: number;
  /** RollWorks simulator port; default 7072, 0 picks a free one. */
  simulatorPort?: number;
  /** More simulator options (clients, quota, faults...). */
  simulator?: Omit<SimulatorOptions, 'port'>;
  /** The environment whose values override the local defaults. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Settings applied over everything else (tests). */
  settings?: Settings;
  /** Function files to serve instead of package.json main. */
  functionsDir?: string;
  files?: string[];
  queues?: Partial<QueueSettings>;
  log?: HostLog;
  /** Folder holding `.local/` (keys). Default the current directory. */
  root?: string;
  /** Restore process.env when the stack stops (tests). Default true. */
  restoreEnvironment?: boolean;
  /** Keep Azurite's data in `.local/azurite` under `root`, so a restart loses nothing. Default in memory. */
  persist?: boolean;
}

export interface LocalStackUrls {
  functions: string;
  api: string;
  /** The admin console. */
  console: string;
  jwks: string;
  rollworks: string;
  azurite?: { blob: string; queue: string; table: string };
}

export interface LocalStack {
  urls: LocalStackUrls;
  settings: Settings;
  host: LocalFunctionsHost;
  azurite?: AzuriteInstance;
  /** Folder Azurite keeps its data in; absent when it is in memory. */
  azuriteData?: string;
  /** Absent when ROLLWORKS_API_BASE_URL points at another RollWorks. */
  simulator?: RunningSimulator;
  stop(): Promise<void>;
}

/**
 * The embedded local stack: Azurite, the RollWorks simulator (unless ROLLWORKS_API_BASE_URL is set) and
 * the local Functions host serving the app, wired together with local settings.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const externalRollWorks = Boolean(env.ROLLWORKS_API_BASE_URL);
  const externalStorage = Boolean(env.AzureWebJobsStorage);
  const clientId = env.ROLLWORKS_CLIENT_ID || DEFAULT_CLIENT.clientId;
  const clientSecret = env.ROLLWORKS_CLIENT_SECRET || DEFAULT_CLIENT.clientSecret;
  const hostPort = options.hostPort ?? 7071;

  const azuritePorts = options.azuritePorts ?? { blob: 10000, queue: 10001, table: 10002 };
  // Azurite boots in a child process; with fixed ports its connection string is known at once, so the
  // host loads the functions meanwhile and only waits for it before starting queue polling.
  const azuriteData =
    options.persist && !externalStorage
      ? path.join(options.root ?? process.cwd(), '.local', 'azurite')
      : undefined;
  const azuriteStarting = externalStorage
    ? undefined
    : startAzurite(azuritePorts, undefined, { location: azuriteData });
  azuriteStarting?.catch(() => undefined); // reported where it is awaited
  const fixedPorts = azuritePorts.blob > 0 && azuritePorts.queue > 0 && azuritePorts.table > 0;
  let simulator: RunningSimulator | undefined;
  let host: LocalFunctionsHost | undefined;
  const stop = async () => {
    await host?.stop();
    await Promise.all([
      simulator?.stop(),
      azuriteStarting?.then(
        (azurite) => azurite.stop(),
        () => undefined,
      ),
    ]);
  };

  try {
    const simulatorStarting = externalRollWorks
      ? undefined
      : startSimulator({
          ...options.simulator,
          port: options.simulatorPort ?? 7072,
          clients: options.simulator?.clients ?? [
            {
              ...DEFAULT_CLIENT,
              clientId,
              clientSecret,
              // any loopback callback (the host port may be picked at random), plus a configured public origin
              redirectUris: env.PUBLIC_BASE_URL
                ? [`${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/oauth/rollworks/callback`]
                : [],
              allowAnyLoopbackRedirect: true,
            },
          ],
        });
    simulatorStarting?.catch(() => undefined);
    const storageConnectionString = externalStorage
      ? ''
      : fixedPorts
        ? azuriteConnectionString(azuritePorts)
        : (await azuriteStarting!).connectionString;
    simulator = await simulatorStarting;

    // required only now, so Azurite's child process boots while these modules load
    const { localJwks } = require('./localAuth') as typeof import('./localAuth');
    const { serveLocalSignIn } = require('./localSignIn') as typeof import('./localSignIn');
    const { CONSOLE_PATH, LOCAL_SIGN_IN_PATH } =
      require('../shared/console/signInSettings') as typeof import('../shared/console/signInSettings');
    const { localDefaultSettings, withEnvironmentOverrides } =
      require('./localSettings') as typeof import('./localSettings');
    let settings: Settings = {};
    const jwks = localJwks(options.root);
    jwks.catch(() => undefined);
    const { startLocalFunctionsHost } = require('./localHost/host') as typeof import('./localHost/host');
    const { loadConfig } = require('../shared/config/config') as typeof import('../shared/config/config');
    host = await startLocalFunctionsHost({
      port: hostPort,
      functionsDir: options.functionsDir,
      files: options.files,
      queues: options.queues,
      log: options.log,
      restoreEnvironment: options.restoreEnvironment,
      beforeTriggers: azuriteStarting,
      extraRoutes: {
        '/.well-known/jwks.json': (request, response) => serveJwks(jwks, request, response),
        [LOCAL_SIGN_IN_PATH]: serveLocalSignIn,
      },
      settings: (origin) => {
        const defaults = localDefaultSettings({
          storageConnectionString,
          rollworksBaseUrl: simulator?.url ?? env.ROLLWORKS_API_BASE_URL ?? '',
          rollworksClientId: clientId,
          rollworksClientSecret: clientSecret,
          hostOrigin: origin,
          root: options.root,
        });
        settings = { ...withEnvironmentOverrides(defaults, env), ...options.settings };
        // The app reads its settings lazily; a bad one must stop the stack now, not fail every request.
        loadConfig({ ...env, ...settings });
        return settings;
      },
    });
    const azurite = await azuriteStarting;
    const azuriteUrls = azurite && {
      blob: `http://127.0.0.1:${azurite.ports.blob}/devstoreaccount1`,
      queue: `http://127.0.0.1:${azurite.ports.queue}/devstoreaccount1`,
      table: `http://127.0.0.1:${azurite.ports.table}/devstoreaccount1`,
    };
    return {
      urls: {
        functions: host.origin,
        api: `${host.origin}/api`,
        console: `${host.origin}${CONSOLE_PATH}`,
        jwks: `${host.origin}/.well-known/jwks.json`,
        rollworks: settings.ROLLWORKS_API_BASE_URL,
        ...(azuriteUrls ? { azurite: azuriteUrls } : {}),
      },
      settings,
      host,
      azurite,
      azuriteData,
      simulator,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

async function serveJwks(
  jwks: Promise<unknown>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET' }).end();
    return;
  }
  const body = JSON.stringify(await jwks);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
}
