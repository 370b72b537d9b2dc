import { z } from 'zod';
import { consoleSettings } from './consoleSettings';
import { runSettings } from './runSettings';
import { int } from './settingTypes';

const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

const text = (description: string) => z.string().trim().min(1).describe(description);
const url = (description: string) =>
  z
    .url()
    .transform((value) => value.replace(/\/+$/, ''))
    .describe(description);

/**
 * Every setting the app reads, with its meaning. `local.settings.sample.json` and the README list the
 * same names; a test keeps the three in step.
 */
export const configSchema = z.object({
  AzureWebJobsStorage: z
    .string()
    .optional()
    .describe(
      'Local stack only: storage connection string (Azurite). In Azure, use the identity-based AzureWebJobsStorage__* settings instead.',
    ),
  AzureWebJobsStorage__blobServiceUri: url(
    'Blob endpoint of the app storage account (identity-based).',
  ).optional(),
  AzureWebJobsStorage__queueServiceUri: url(
    'Queue endpoint of the app storage account (identity-based).',
  ).optional(),
  AzureWebJobsStorage__tableServiceUri: url(
    'Table endpoint of the app storage account (identity-based).',
  ).optional(),
  AzureWebJobsStorage__clientId: z
    .string()
    .optional()
    .describe('Client id of the user-assigned managed identity used for storage.'),
  AZURE_CLIENT_ID: z
    .string()
    .optional()
    .describe(
      'Client id of the user-assigned managed identity DefaultAzureCredential uses (Key Vault, storage).',
    ),

  SEGMENTS_BLOB_ENDPOINT: url(
    'Blob endpoint holding segment folders; defaults to the app storage (Azurite locally).',
  ).optional(),
  SEGMENTS_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, 'must be a valid blob container name')
    .default('segments')
    .describe('Container with one folder per segment.'),
  STATE_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/, 'must be a valid blob container name')
    .default('export-state')
    .describe('Container in app storage for sent-member snapshots and rejection reports.'),
  EXPORT_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/)
    .default('export-segments')
    .describe('Queue the export worker listens on (its poison queue is <name>-poison).'),
  WEBHOOK_QUEUE_NAME: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/)
    .default('webhook-deliveries')
    .describe('Queue webhook deliveries wait on (its poison queue is <name>-poison).'),

  ROLLWORKS_API_BASE_URL: url('RollWorks API host.').default('https://services.adroll.com'),
  ROLLWORKS_AUTH_BASE_URL: url('RollWorks OAuth host (authorize and token endpoints).').default(
    'https://services.adroll.com',
  ),
  ROLLWORKS_CLIENT_ID: text('OAuth client id of the RollWorks application; also sent as `apikey`.'),
  ROLLWORKS_CLIENT_SECRET: z
    .string()
    .optional()
    .describe(
      'Local stack only. In Azure the client secret is read from Key Vault (secret rollworks-client-secret).',
    ),
  ROLLWORKS_MAX_REQUEST_BYTES: int(
    16 * 1024 * 1024,
    1024,
    'Largest request body sent to RollWorks, in bytes.',
  ),
  ROLLWORKS_DAILY_REQUEST_BUDGET: int(
    100,
    1,
    'RollWorks requests per UTC day for this application (shared by all connections).',
  ),
  ROLLWORKS_REQUEST_TIMEOUT_MS: int(120_000, 100, 'Timeout of one RollWorks request, in milliseconds.'),
  ROLLWORKS_RETRY_BUDGET_MS: int(
    60_000,
    0,
    'How long one call may keep retrying 429/5xx/connection errors before the message is re-enqueued with a delay.',
  ),

  SECRET_STORE: z
    .enum(['keyVault', 'local'])
    .default('keyVault')
    .describe('keyVault in Azure; local (encrypted in Table Storage) only on the embedded stack.'),
  KEY_VAULT_URI: url('Key Vault holding RollWorks tokens and the client secret.').optional(),
  LOCAL_SECRET_KEY: z
    .string()
    .optional()
    .describe('Local secret store only: base64 of a 32-byte AES-256-GCM key.'),

  AUTH_MODE: z
    .enum(['entra', 'local'])
    .default('entra')
    .describe(
      'entra validates Microsoft Entra ID tokens; local accepts tokens from `npm run token` (refused in Azure).',
    ),
  ENTRA_ISSUER: url(
    'Expected `iss` of access tokens, e.g. https://login.microsoftonline.com/<tenant>/v2.0.',
  ).optional(),
  ENTRA_AUDIENCE: z
    .string()
    .optional()
    .describe('Expected `aud` of access tokens (the app registration id or URI).'),
  ENTRA_JWKS_URI: url('JWKS of the issuer; defaults to the one in the issuer discovery document.').optional(),
  LOCAL_AUTH_JWKS_URI: url('Local stack only: JWKS the local token issuer publishes.').optional(),
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: int(
    86_400,
    60,
    'Longest bearer token lifetime (exp minus iat) accepted; Entra ID issues tokens of 60-90 minutes.',
  ),

  PUBLIC_BASE_URL: url(
    'Origin the app is reached at; the OAuth redirect URI is <this>/api/oauth/rollworks/callback.',
  ),
  OAUTH_STATE_TTL_SECONDS: int(600, 30, 'Lifetime of an OAuth `state`.'),
  ...consoleSettings,

  SCHEDULER_CRON: z
    .string()
    .default('0 */5 * * * *')
    .describe('NCRONTAB (six fields) of the timer that starts due scheduled runs.'),
  SYSTEM_REFRESH_CRON: z
    .string()
    .default('0 0 2 * * *')
    .describe('System refresh schedule (NCRONTAB) followed by exports without their own cron.'),
  SYSTEM_REFRESH_TIME_ZONE: z.string().default('UTC').describe('IANA time zone of SYSTEM_REFRESH_CRON.'),
  SEGMENT_DEBOUNCE_SECONDS: int(
    120,
    0,
    'A segment version is complete once no blob in its folder was written for this long; a read that finds the folder changing is retried after it.',
  ),

  ...runSettings,

  FUNCTIONS_WORKER_RUNTIME: z.string().optional().describe('Set by Azure Functions; `node`.'),
  WEBSITE_SITE_NAME: z.string().optional().describe('Set by Azure (the app name): the app runs in Azure.'),
  WEBSITE_SKU: z
    .string()
    .optional()
    .describe('Set by Azure (`FlexConsumption` on the Flex Consumption plan): the app runs in Azure.'),
  WEBSITE_INSTANCE_ID: z
    .string()
    .optional()
    .describe('Set by Azure on Dedicated and Consumption plans: the app runs in Azure.'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z
    .string()
    .optional()
    .describe('Set by the deployment: in Azure, telemetry goes to this Application Insights resource.'),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'])
    .default('info')
    .describe(
      'Local stack: lowest level the local host prints. In Azure the Functions host filters (Bicep `logLevel` sets `AzureFunctionsJobHost__logging__logLevel__Function`).',
    ),
});

/** Rules across settings; checked on the raw input so they are reported with the field errors. */
function crossFieldProblems(input: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const identityStorage =
    input.AzureWebJobsStorage__blobServiceUri &&
    input.AzureWebJobsStorage__queueServiceUri &&
    input.AzureWebJobsStorage__tableServiceUri;
  if (!input.AzureWebJobsStorage && !identityStorage) {
    problems.push(
      'AzureWebJobsStorage__blobServiceUri: storage is not configured: set AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri (Azure) or AzureWebJobsStorage (local)',
    );
  }
  const secretStore = input.SECRET_STORE ?? 'keyVault';
  if (secretStore === 'keyVault' && !input.KEY_VAULT_URI) {
    problems.push('KEY_VAULT_URI: is required when SECRET_STORE is keyVault');
  }
  if (secretStore === 'local' && !input.LOCAL_SECRET_KEY) {
    problems.push('LOCAL_SECRET_KEY: is required when SECRET_STORE is local');
  }
  const authMode = input.AUTH_MODE ?? 'entra';
  if (authMode === 'entra') {
    if (!input.ENTRA_ISSUER) problems.push('ENTRA_ISSUER: is required when AUTH_MODE is entra');
    if (!input.ENTRA_AUDIENCE) problems.push('ENTRA_AUDIENCE: is required when AUTH_MODE is entra');
  }
  if (authMode === 'local' && !input.LOCAL_AUTH_JWKS_URI) {
    problems.push('LOCAL_AUTH_JWKS_URI: is required when AUTH_MODE is local');
  }
  return problems;
}

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Names of every setting the schema knows. */
export const settingNames = (): string[] => Object.keys(configSchema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = settingNames();
  const input: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of known) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (KEY_VAULT_REFERENCE.test(value)) {
      problems.push(
        `${name}: is an unresolved Key Vault reference; grant the app identity access to the vault or set the value`,
      );
      continue;
    }
    input[name] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.') || '(config)';
      problems.push(
        `${name}: ${input[name] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message}`,
      );
    }
  }
  problems.push(...crossFieldProblems(input));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data as AppConfig;
}

// Flex Consumption sets no WEBSITE_INSTANCE_ID (the host detects it by WEBSITE_SKU). CONTAINER_NAME is no
// marker on its own: container platforms outside Azure set it too (this project's CI sandbox does).
export const AZURE_MARKERS = ['WEBSITE_SITE_NAME', 'WEBSITE_SKU', 'WEBSITE_INSTANCE_ID'] as const;

/** The setting that shows the process runs in Azure (not the local stack), or undefined. */
export function azureMarker(config: AppConfig): string | undefined {
  return AZURE_MARKERS.find((name) => Boolean(config[name]));
}

/** True when the process runs inside Azure Functions in Azure (not the local stack). */
export function runsInAzure(config: AppConfig): boolean {
  return azureMarker(config) !== undefined;
}

/** The sentence refusing a local-stack-only mode (`refused`, e.g. "AUTH_MODE=local is") when in Azure. */
export function refusedInAzure(config: AppConfig, refused: string, instead: string): string | undefined {
  const marker = azureMarker(config);
  return marker && `${refused} refused: the app runs in Azure (${marker} is set). ${instead}`;
}
