/** A registered OAuth application. */
export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs this client may use. */
  redirectUris: string[];
  /** Also accept any http(s) redirect URI on 127.0.0.1 or localhost (the default local client does). */
  allowAnyLoopbackRedirect?: boolean;
}

export interface SimulatorUser {
  username: string;
  password: string;
  organization: { eid: string; name: string };
  advertisables: { eid: string; name: string }[];
}

export interface SimulatorFaults {
  /** Share (0..1) of API calls answered 429. */
  rate429?: number;
  /** Share (0..1) of API calls answered 500. */
  rate500?: number;
  /** Added delay before every API call is answered. */
  latencyMs?: number;
  /** Share (0..1) of API calls whose socket is destroyed without a response. */
  dropRate?: number;
  /** Dropped calls are processed first (a write happens), then the socket is destroyed. */
  dropAfterProcessing?: boolean;
  /** When set, injected 429s carry this Retry-After (quota 429s never do). */
  retryAfterSeconds?: number;
  /** Also inject faults into /auth/* calls. */
  auth?: boolean;
  /** Seed for the fault dice, for repeatable shares; unseeded uses Math.random. */
  seed?: number;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clients?: SimulatorClient[];
  users?: SimulatorUser[];
  accessTokenTtlSeconds?: number;
  /** API calls per client id per UTC day. */
  dailyQuota?: number;
  maxRequestBytes?: number;
  faults?: SimulatorFaults;
  /** A replace adds the members to the audience instead of replacing them (what RollWorks may do). */
  replaceAppends?: boolean;
  now?: () => Date;
}

export const DEFAULT_CLIENT: SimulatorClient = {
  clientId: 'local-client',
  clientSecret: 'local-secret',
  redirectUris: [],
  allowAnyLoopbackRedirect: true,
};

export const DEMO_ORGANIZATION = { eid: 'QXR4T7ZK2MBN5WDH8CJF3P', name: 'Contoso Outdoor' };

export const DEMO_ADVERTISABLES: readonly { readonly eid: string; readonly name: string }[] = [
  { eid: 'HV6KQ2XN9TBR4MZJ7CWL5D', name: 'Contoso Outdoor US' },
  { eid: 'P3WZ8LCR5QJD2NKT6XHB9M', name: 'Contoso Outdoor EU' },
];

export const DEMO_USER: SimulatorUser = {
  username: 'demo',
  password: 'demo-password',
  organization: DEMO_ORGANIZATION,
  advertisables: DEMO_ADVERTISABLES.map((a) => ({ ...a })),
};

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 86_400;
export const DEFAULT_DAILY_QUOTA = 100;
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
export const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000;
export const REFRESH_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
export const MIN_UNIQUE_EMAILS = 100;
