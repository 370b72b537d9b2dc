import { TableServiceClient, TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteInstance } from '../../../dev/azurite';
import {
  startSimulator,
  DEMO_USER,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../../dev/simulator';
import { loadConfig, type AppConfig } from '../../../shared/config/config';
import { createServices, type Services } from '../../../shared/services';
import {
  createConnectionService,
  type ConnectionService,
} from '../../../shared/connections/connectionService';
import { createLogger, type Logger } from '../../../shared/logging/logger';
import { connectionSecretNames, type OAuthTokens } from '../../../shared/model/connection';
import type { Clock } from '../../../shared/clock';

export interface Harness {
  azurite: AzuriteInstance;
  simulator: RunningSimulator;
  config: AppConfig;
  /** The settings `config` was loaded from (for a Functions host). */
  settings: Record<string, string>;
  /** Every log line any service of this harness wrote. */
  logLines: string[];
  /** A fresh service instance (its own caches), as another Functions instance would have. */
  instance(options?: { clock?: Clock }): { services: Services; connections: ConnectionService };
  storedTokens(connectionId: string): Promise<OAuthTokens | undefined>;
  /** Every entity of every table, as text. */
  allTableText(): Promise<string>;
  stop(): Promise<void>;
}

export const ADMIN = { id: 'admin-oid', name: 'Ada Admin' };

export async function startHarness(simulatorOptions: SimulatorOptions = {}): Promise<Harness> {
  const [azurite, simulator] = await Promise.all([
    startAzurite({ blob: 0, queue: 0, table: 0 }, 90_000),
    startSimulator({ dailyQuota: 100_000, ...simulatorOptions }),
  ]);
  const settings: Record<string, string> = {
    AzureWebJobsStorage: azurite.connectionString,
    ROLLWORKS_API_BASE_URL: simulator.url,
    ROLLWORKS_AUTH_BASE_URL: simulator.url,
    ROLLWORKS_CLIENT_ID: 'local-client',
    ROLLWORKS_CLIENT_SECRET: 'local-secret',
    ROLLWORKS_DAILY_REQUEST_BUDGET: '100000',
    ROLLWORKS_REQUEST_TIMEOUT_MS: '10000',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:1/jwks',
    ENTRA_ISSUER: 'https://local.invalid/',
    ENTRA_AUDIENCE: 'api://local',
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    OAUTH_STATE_TTL_SECONDS: '600',
  };
  const config = loadConfig(settings);
  const logLines: string[] = [];
  const logger: Logger = createLogger((level, line) => logLines.push(`${level} ${line}`));
  const reader = createServices(config);

  return {
    azurite,
    simulator,
    config,
    settings,
    logLines,
    instance(options = {}) {
      const services = createServices(config, options.clock ? { clock: options.clock } : {});
      const connections = createConnectionService(services, { logger, refreshWaitTimeoutMs: 30_000 });
      return { services, connections };
    },
    async storedTokens(connectionId) {
      const raw = await reader.secrets.get(connectionSecretNames(connectionId).tokens);
      return raw ? (JSON.parse(raw) as OAuthTokens) : undefined;
    },
    async allTableText() {
      const service = TableServiceClient.fromConnectionString(azurite.connectionString, {
        allowInsecureConnection: true,
      });
      const parts: string[] = [];
      for await (const table of service.listTables()) {
        const client = TableClient.fromConnectionString(azurite.connectionString, table.name!, {
          allowInsecureConnection: true,
        });
        for await (const entity of client.listEntities())
          parts.push(`${table.name} ${JSON.stringify(entity)}`);
      }
      return parts.join('\n');
    },
    async stop() {
      await Promise.all([simulator.stop(), azurite.stop()]);
    },
  };
}

/** Signs in on the simulator's page the way its form posts, returning where it redirects the browser. */
export async function signInAtRollWorks(
  authorizeUrl: string,
  decision: 'allow' | 'deny' = 'allow',
  user = DEMO_USER,
): Promise<URL> {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams({
    client_id: url.searchParams.get('client_id') ?? '',
    redirect_uri: url.searchParams.get('redirect_uri') ?? '',
    state: url.searchParams.get('state') ?? '',
    scope: url.searchParams.get('scope') ?? 'all',
    response_type: 'code',
    username: user.username,
    password: user.password,
    decision,
  });
  const response = await fetch(`${url.origin}/auth/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`Sign-in answered ${response.status}, not a redirect`);
  return new URL(location);
}

/** The callback query RollWorks' redirect carries. */
export const callbackQuery = (redirect: URL) => Object.fromEntries(redirect.searchParams.entries());
