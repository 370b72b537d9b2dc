import fs from 'node:fs';

/** The parts of host.json the local host honours, normalised to milliseconds. */
export interface QueueSettings {
  batchSize: number;
  newBatchThreshold: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  maxDequeueCount: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostConfig {
  routePrefix: string;
  queues: QueueSettings;
  functionTimeoutMs: number;
}

interface HostJson {
  functionTimeout?: string;
  extensions?: {
    http?: { routePrefix?: string };
    queues?: {
      batchSize?: number;
      newBatchThreshold?: number;
      visibilityTimeout?: string;
      maxPollingInterval?: string | number;
      maxDequeueCount?: number;
      messageEncoding?: string;
    };
  };
}

/** Parses a .NET TimeSpan as host.json writes it: `[d.]hh:mm:ss[.fff]`. */
export function parseTimeSpan(value: string | number, name: string): number {
  if (typeof value === 'number') return value;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`host.json ${name}: "${value}" is not a TimeSpan (hh:mm:ss)`);
  const [, days, hours, minutes, seconds, fraction] = match;
  return (
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction ?? 0}`) * 1000)
  );
}

export function readHostConfig(
  hostJsonPath: string,
  queueOverrides: Partial<QueueSettings> = {},
): HostConfig {
  const json = (
    fs.existsSync(hostJsonPath) ? JSON.parse(fs.readFileSync(hostJsonPath, 'utf8')) : {}
  ) as HostJson;
  const queues = json.extensions?.queues ?? {};
  const batchSize = Math.min(32, Math.max(1, queueOverrides.batchSize ?? queues.batchSize ?? 16));
  const settings: QueueSettings = {
    batchSize,
    newBatchThreshold: queues.newBatchThreshold ?? Math.floor(batchSize / 2),
    visibilityTimeoutMs: parseTimeSpan(queues.visibilityTimeout ?? '00:00:00', 'visibilityTimeout'),
    maxPollingIntervalMs: parseTimeSpan(queues.maxPollingInterval ?? '00:01:00', 'maxPollingInterval'),
    maxDequeueCount: queues.maxDequeueCount ?? 5,
    messageEncoding: queues.messageEncoding === 'none' ? 'none' : 'base64',
    ...queueOverrides,
  };
  const prefix = json.extensions?.http?.routePrefix ?? 'api';
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    queues: settings,
    functionTimeoutMs: parseTimeSpan(json.functionTimeout ?? '00:05:00', 'functionTimeout'),
  };
}

/** Resolves `%NAME%` app-setting expressions the way the Functions host does in binding properties. */
export function resolveSettingExpression(
  value: string,
  settings: Record<string, string | undefined>,
  what: string,
): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') {
      throw new Error(`${what}: setting ${name} referenced as %${name}% is not set`);
    }
    return resolved;
  });
}
