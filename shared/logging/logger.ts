/**
 * The app's logger: structured lines with ids and counts only. Never pass an email, a hash of one,
 * a token or a secret; `redact` masks values that look like one anyway, as a second line of defence.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface LogSink {
  (level: 'debug' | 'info' | 'warn' | 'error', line: string): void;
}

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi;
// MD5 and SHA-256: the member hashes destinations use.
const HEX_DIGEST = /\b(?:[a-f0-9]{32}|[a-f0-9]{64})\b/gi;
const BEARER = /(bearer\s+)[\w.~+/=-]+/gi;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const TOKEN_PARAM = /((?:access_token|refresh_token|code|client_secret|apikey)=)[^&\s"]+/gi;

export function redact(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(HEX_DIGEST, '[digest]')
    .replace(BEARER, '$1[token]')
    .replace(JWT, '[token]')
    .replace(TOKEN_PARAM, '$1[redacted]');
}

export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}) => {
      const all = { ...base, ...fields };
      const suffix = Object.entries(all)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
      sink(level, redact(suffix ? `${message} ${suffix}` : message));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Logger that writes to an InvocationContext (Functions host logs, Application Insights). */
export function contextLogger(
  context: {
    debug(...a: unknown[]): void;
    info(...a: unknown[]): void;
    warn(...a: unknown[]): void;
    error(...a: unknown[]): void;
  },
  base: LogFields = {},
): Logger {
  return createLogger((level, line) => context[level](line), base);
}

export const silentLogger: Logger = createLogger(() => undefined);

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Logger for work outside an invocation (events published from services): the console, from `minLevel` up. */
export function consoleLogger(minLevel: (typeof LEVELS)[number]): Logger {
  const min = LEVELS.indexOf(minLevel);
  return createLogger((level, line) => {
    // eslint-disable-next-line no-console -- outside an invocation the host takes the console as its log
    if (LEVELS.indexOf(level) >= min) console[level](line);
  });
}
