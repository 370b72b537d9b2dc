import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT, DEMO_USER } from './options';
import { startSimulator } from './server';

const USAGE = `Usage: node dist/dev/simulator/main.js [--port 0] [--daily-quota 100] [--token-ttl 86400]
  [--max-request-bytes 16777216] [--rate429 0] [--rate500 0] [--drop-rate 0] [--latency-ms 0]
  [--retry-after 5] [--seed N]`;

function numberOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value))
    throw new Error(`--${name} must be a number\n${USAGE}`);
  return value;
}

async function main(): Promise<void> {
  const names = [
    'port',
    'daily-quota',
    'token-ttl',
    'max-request-bytes',
    'rate429',
    'rate500',
    'drop-rate',
    'latency-ms',
    'retry-after',
    'seed',
  ];
  const { values } = parseArgs({
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    strict: true,
  });
  const simulator = await startSimulator({
    port: numberOption(values, 'port') ?? 0,
    dailyQuota: numberOption(values, 'daily-quota'),
    accessTokenTtlSeconds: numberOption(values, 'token-ttl'),
    maxRequestBytes: numberOption(values, 'max-request-bytes'),
    faults: {
      rate429: numberOption(values, 'rate429'),
      rate500: numberOption(values, 'rate500'),
      dropRate: numberOption(values, 'drop-rate'),
      latencyMs: numberOption(values, 'latency-ms'),
      retryAfterSeconds: numberOption(values, 'retry-after'),
      seed: numberOption(values, 'seed'),
    },
  });
  console.log(`RollWorks simulator listening at ${simulator.url}`);
  console.log(
    `  client ${DEFAULT_CLIENT.clientId} / ${DEFAULT_CLIENT.clientSecret}; sign in as ${DEMO_USER.username} / ${DEMO_USER.password}`,
  );
  const shutdown = () => void simulator.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
