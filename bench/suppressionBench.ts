/**
 * `npm run bench:suppression`: what a 1,000,000-digest suppression list costs. Starts Azurite and the
 * RollWorks simulator as child processes, generates the 250,000-profile segment of `npm run bench`,
 * authorizes two connections through the simulator's sign-in, then
 *   (1) uploads a 1,000,000-line list (997,500 other addresses and 2,500 of the segment's members)
 *       to the second connection over HTTP through the local Functions host, in a fresh child process
 *       (host and streaming client), and prints the time and that process's peak RSS over its start;
 *   (2) in another fresh child process, alternately exports the segment through the first connection
 *       (no list) and the second (the list), and prints both times, the ratio and the peak-RSS delta
 *       (targets: within 10 %, at most +40 MB).
 * BENCH_SEGMENT_SIZE, BENCH_RUNS (pairs, default 3) and BENCH_SUPPRESSED (default 1,000,000) change it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startAzurite } from '../dev/azurite';
import { integer, megabytes, seconds } from '../dev/demo/format';
import { renderTable } from '../dev/demo/table';
import { generateSegment } from '../dev/segmentGenerator';
import {
  SEGMENT,
  audienceSize,
  createBenchExport,
  readyConnection,
  rssSampler,
  servicesFor,
  startSimulatorProcess,
  workerExport,
} from './exportBench';

const MB = 1024 * 1024;
const RATIO_TARGET = 1.1;
const RSS_TARGET_MB = 40;
const MEMBERS_SUPPRESSED = 2_500;

interface Context {
  connectionString: string;
  rollworksUrl: string;
  secretKey: string;
  /** Connection with the list, its members' addresses to include, and the line count. */
  connectionId: string;
  members: string[];
  lines: number;
  /** [without, with] export ids, one pair per run. */
  pairs: [string, string][];
}

/** The lines of the list, produced as the upload reads them (the client never holds the list). */
function listStream(members: string[], lines: number): Readable {
  let i = 0;
  return Readable.from(
    (function* () {
      while (i < lines) {
        const chunk: string[] = [];
        for (let k = 0; k < 10_000 && i < lines; k++, i++) {
          chunk.push(i < members.length ? members[i] : `someone.else${i}@example.org`);
        }
        yield Buffer.from(`${chunk.join('\n')}\n`);
      }
    })(),
  );
}

async function uploadInChild(context: Context): Promise<void> {
  const { installFunctionsCore } = await import('../dev/localHost/loadFunctionApp');
  installFunctionsCore();
  const { startLocalFunctionsHost } = await import('../dev/localHost/host');
  const { localJwks, signLocalToken, LOCAL_AUDIENCE, LOCAL_ISSUER } = await import('../dev/localAuth');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-suppression-'));
  const jwks = await localJwks(root);
  const host = await startLocalFunctionsHost({
    port: 0,
    files: [path.join(__dirname, '..', 'functions', 'http.js')],
    log: () => undefined,
    extraRoutes: {
      '/.well-known/jwks.json': (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(jwks));
      },
    },
    settings: (origin) => ({
      AzureWebJobsStorage: context.connectionString,
      ROLLWORKS_API_BASE_URL: context.rollworksUrl,
      ROLLWORKS_AUTH_BASE_URL: context.rollworksUrl,
      ROLLWORKS_CLIENT_ID: 'local-client',
      ROLLWORKS_CLIENT_SECRET: 'local-secret',
      SECRET_STORE: 'local',
      LOCAL_SECRET_KEY: context.secretKey,
      AUTH_MODE: 'local',
      LOCAL_AUTH_JWKS_URI: `${origin}/.well-known/jwks.json`,
      ENTRA_ISSUER: LOCAL_ISSUER,
      ENTRA_AUDIENCE: LOCAL_AUDIENCE,
      PUBLIC_BASE_URL: origin,
      LOG_LEVEL: 'error',
      DEV_SKIP_FUNCTIONS_ENV_CHECK: 'true',
    }),
  });
  const token = await signLocalToken({ roles: ['Exports.Admin'], sub: 'bench-admin', name: 'Bench' }, root);
  (globalThis as { gc?: () => void }).gc?.();
  const startRss = process.memoryUsage().rss;
  const stopSampling = rssSampler();
  const started = Date.now();
  const response = await fetch(`${host.origin}/api/connections/${context.connectionId}/suppressions`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
    body: Readable.toWeb(listStream(context.members, context.lines)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const answer = (await response.json()) as Record<string, unknown>;
  const ms = Date.now() - started;
  const peakRss = stopSampling();
  await host.stop();
  fs.rmSync(root, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ status: response.status, answer, ms, startRss, peakRss })}\n`);
}

async function exportsInChild(context: Context): Promise<void> {
  const services = servicesFor(context.connectionString, context.rollworksUrl, context.secretKey);
  const rounds = [];
  for (const [without, withList] of context.pairs) {
    const a = await workerExport(services, without);
    const b = await workerExport(services, withList);
    rounds.push({ without: a, with: b });
  }
  process.stdout.write(`${JSON.stringify({ rounds })}\n`);
}

function child<T>(mode: string, context: Context): Promise<T> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--expose-gc', __filename, mode], {
      env: { ...process.env, BENCH_CONTEXT: JSON.stringify(context) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    process_.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process_.once('error', reject);
    process_.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the ${mode} process failed (exit ${code})`));
      resolve(JSON.parse(output.trim().split('\n').pop()!) as T);
    });
  });
}

const stages = (figures: { readMs?: number; sendMs?: number }) =>
  `${figures.readMs ?? '?'}, ${figures.sendMs ?? '?'} ms`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main(): Promise<number> {
  const size = Number(process.env.BENCH_SEGMENT_SIZE ?? 250_000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const lines = Number(process.env.BENCH_SUPPRESSED ?? 1_000_000);
  const [azurite, simulator] = await Promise.all([startAzurite(), startSimulatorProcess()]);
  const problems: string[] = [];
  try {
    const secretKey = randomBytes(32).toString('base64');
    const services = servicesFor(azurite.connectionString, simulator.url, secretKey);
    const container = services.storage.segmentsContainer();
    await container.createIfNotExists();
    const generated = await generateSegment(container, SEGMENT, size, {
      format: 'csv',
      gzip: true,
      partitions: 4,
      seed: 21,
    });
    // members to suppress: the first valid, distinct addresses of the segment
    const members = new Set<string>();
    for await (const batch of services.segments.readField(SEGMENT, 'Email')) {
      for (const value of batch.values) {
        const email = value.trim().toLowerCase();
        if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(email)) members.add(email);
        if (members.size === MEMBERS_SUPPRESSED) break;
      }
      if (members.size === MEMBERS_SUPPRESSED) break;
    }
    const [plain, suppressing] = [await readyConnection(services), await readyConnection(services)];
    const pairs: [string, string][] = [];
    for (let round = 1; round <= runs; round++) {
      const make = (connectionId: string, label: string) =>
        createBenchExport(services, connectionId, `Suppression bench ${label} ${round}`);
      pairs.push([await make(plain, 'without'), await make(suppressing, 'with')]);
    }
    const context: Context = {
      connectionString: azurite.connectionString,
      rollworksUrl: simulator.url,
      secretKey,
      connectionId: suppressing,
      members: [...members],
      lines,
      pairs,
    };
    console.log(
      `Segment: ${integer(generated.rowCount)} rows, ${integer(generated.uniqueEmails)} unique valid emails. ` +
        `Uploading ${integer(lines)} lines over HTTP (${integer(members.size)} of them members)...`,
    );
    const upload = await child<{
      status: number;
      answer: Record<string, number>;
      ms: number;
      startRss: number;
      peakRss: number;
    }>('--upload', context);
    if (upload.status !== 200) problems.push(`the upload answered ${upload.status}`);
    console.log(
      `Upload: ${upload.status}, ${integer(upload.answer.count)} digests stored (${integer(upload.answer.duplicates)} duplicates, ` +
        `${integer(upload.answer.rejected)} rejected) in ${seconds(upload.ms)}; the host+client process: ` +
        `RSS ${megabytes(upload.startRss)} before, peak ${megabytes(upload.peakRss)} (+${megabytes(upload.peakRss - upload.startRss)}).`,
    );
    console.log(`Exporting, ${runs} pairs in a fresh process: without list, with list, ...`);
    type Figures = Awaited<ReturnType<typeof workerExport>>;
    const { rounds } = await child<{ rounds: { without: Figures; with: Figures }[] }>('--exports', context);
    for (const [index, round] of rounds.entries()) {
      const suppressed = round.with.state.counts.suppressed ?? 0;
      const sentWith = await audienceSize(simulator.url, round.with.state.audience!.id);
      // `suppressed` counts rows: a suppressed member's duplicate rows count too
      if (suppressed < members.size || sentWith !== generated.uniqueEmails - members.size) {
        problems.push(
          `run ${index + 1}: ${suppressed} rows suppressed and ${sentWith} in the audience; expected at least ${members.size} and ${generated.uniqueEmails - members.size}`,
        );
      }
    }
    const line = (label: string, pick: (r: (typeof rounds)[number]) => string) => [
      label,
      ...rounds.map(pick),
    ];
    console.log(
      renderTable(
        [{ title: '' }, ...rounds.map((_, i) => ({ title: `run ${i + 1}`, align: 'right' as const }))],
        [
          line('without list', (r) => seconds(r.without.ms)),
          line('    read, send', (r) => stages(r.without)),
          line('    peak RSS', (r) => megabytes(r.without.peakRss)),
          line(`with ${integer(lines)} digests`, (r) => seconds(r.with.ms)),
          line('    read, send', (r) => stages(r.with)),
          line('    peak RSS', (r) => megabytes(r.with.peakRss)),
          line('    suppressed', (r) => integer(r.with.state.counts.suppressed ?? 0)),
          line('ratio with / without', (r) => `${(r.with.ms / r.without.ms).toFixed(3)}×`),
          line('peak RSS delta', (r) => megabytes(r.with.peakRss - r.without.peakRss)),
        ],
      ),
    );
    const warm = rounds.length > 1 ? rounds.slice(1) : rounds;
    const ratio = median(warm.map((r) => r.with.ms / r.without.ms));
    const delta = median(warm.map((r) => r.with.peakRss - r.without.peakRss));
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(
      `Targets (median of the runs after the first): time ≤ ${RATIO_TARGET}× without: ${ratio.toFixed(3)}× → ${verdict(ratio <= RATIO_TARGET)}; ` +
        `peak RSS ≤ +${RSS_TARGET_MB} MB: ${megabytes(delta)} → ${verdict(delta <= RSS_TARGET_MB * MB)}.`,
    );
  } finally {
    await Promise.all([azurite.stop(), simulator.stop()]);
  }
  if (problems.length > 0) {
    console.error(`Benchmark results are wrong:\n  - ${problems.join('\n  - ')}`);
    return 1;
  }
  return 0;
}

const context = () => JSON.parse(process.env.BENCH_CONTEXT ?? '{}') as Context;
const run = process.argv.includes('--upload')
  ? uploadInChild(context()).then(() => 0)
  : process.argv.includes('--exports')
    ? exportsInChild(context()).then(() => 0)
    : main();
run.then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
