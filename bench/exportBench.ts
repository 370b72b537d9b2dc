/**
 * `npm run bench`: the export worker against the least work an export needs. Starts Azurite and the
 * RollWorks simulator as child processes (so their memory is not counted), authorizes a connection
 * through the simulator's real OAuth endpoints, generates a 250,000-profile segment, then twice:
 *   (a) the reference pipeline (stream, gunzip, parse CSV, normalize, MD5; bench/referencePipeline.ts)
 *   (b) the worker's end-to-end export of the same segment to a new CRM audience (first send, create),
 *       driven from its real queue message,
 * both measured in one fresh child process, interleaved (run 1 cold, then warm runs), and prints both
 * times, their ratio per run and the median ratio of the warm runs (target ≤ 2×; the machine is shared,
 * so one pair is a noisy sample), rows/s and that process's peak RSS sampled every 50 ms
 * (target ≤ 250 MB).
 * BENCH_SEGMENT_SIZE changes the size, BENCH_RUNS the number of runs (default 4: one cold, three warm); BENCH_PROFILE_DIR=<dir> writes V8 CPU profiles of the measuring
 * process and the simulator there (open them in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAzurite } from '../dev/azurite';
import { signInAndAllow } from '../dev/demo/oauthSignIn';
import { integer, megabytes, perSecond, seconds } from '../dev/demo/format';
import { renderTable } from '../dev/demo/table';
import { generateSegment } from '../dev/segmentGenerator';
import { DEFAULT_CLIENT, DEMO_ADVERTISABLES, DEMO_USER } from '../dev/simulator';
import { loadConfig } from '../shared/config/config';
import { createLogger } from '../shared/logging/logger';
import type { Principal } from '../shared/model/identity';
import type { SegmentRunState } from '../shared/model/run';
import { createServices, type Services } from '../shared/services';
import { runReferencePipeline, type ReferenceResult } from './referencePipeline';

export const SEGMENT = 'bench-high-value-customers';
const RATIO_TARGET = 2;
const RSS_TARGET_MB = 250;
const MB = 1024 * 1024;
export const ADMIN: Principal = { id: 'bench-admin', name: 'Bench Admin', roles: ['Exports.Admin'] };

/** `--cpu-prof` for the child processes when BENCH_PROFILE_DIR is set (NODE_OPTIONS may not carry it). */
const profileArgs = (): string[] =>
  process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];

const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/** Peak RSS of this process, sampled every 50 ms. */
export function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

export interface Measured<T> {
  result: T;
  ms: number;
  cpuMs: number;
  peakRss: number;
}

export async function measure<T>(work: () => Promise<T>): Promise<Measured<T>> {
  collectGarbage();
  const stopSampling = rssSampler();
  const cpu = process.cpuUsage();
  const started = Date.now();
  const result = await work();
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000, peakRss: stopSampling() };
}

/** The simulator's CLI in a child process; resolves with its URL. */
export function startSimulatorProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const entry = path.join(__dirname, '..', 'dev', 'simulator', 'main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [...profileArgs(), entry, '--port', '0', '--daily-quota', '100000'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the RollWorks simulator did not start:\n${output}`));
    }, 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ url: match[1], stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the RollWorks simulator exited with code ${code}:\n${output}`));
    });
  });
}

export function servicesFor(connectionString: string, rollworksUrl: string, secretKey: string): Services {
  return createServices(
    loadConfig({
      AzureWebJobsStorage: connectionString,
      ROLLWORKS_API_BASE_URL: rollworksUrl,
      ROLLWORKS_AUTH_BASE_URL: rollworksUrl,
      ROLLWORKS_CLIENT_ID: DEFAULT_CLIENT.clientId,
      ROLLWORKS_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
      ROLLWORKS_DAILY_REQUEST_BUDGET: '100000',
      SECRET_STORE: 'local',
      LOCAL_SECRET_KEY: secretKey,
      AUTH_MODE: 'local',
      LOCAL_AUTH_JWKS_URI: 'http://127.0.0.1:9/jwks.json',
      PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
      LOG_LEVEL: 'error',
    }),
  );
}

/** A ready connection, authorized through the simulator's sign-in form like a person would. */
export async function readyConnection(services: Services): Promise<string> {
  const connection = await services.connections.create(
    { displayName: 'Bench', access: 'admins', dataPrivacyConsent: true },
    ADMIN,
  );
  const { authorizeUrl } = await services.connections.startAuthorization(connection.id, ADMIN);
  const callback = new URL(
    await signInAndAllow(authorizeUrl, { username: DEMO_USER.username, password: DEMO_USER.password }),
  );
  const outcome = await services.connections.completeAuthorization({
    code: callback.searchParams.get('code') ?? undefined,
    state: callback.searchParams.get('state') ?? undefined,
  });
  if (!outcome.ok) throw new Error(`authorization failed: ${outcome.code}: ${outcome.message}`);
  const ready = await services.connections.setExportUser(connection.id, ADMIN);
  if (ready.status !== 'ready') throw new Error(`the connection is ${ready.status}, not ready`);
  return connection.id;
}

interface BenchContext {
  connectionString: string;
  rollworksUrl: string;
  secretKey: string;
  exportIds: string[];
}

interface WorkerFigures {
  ms: number;
  cpuMs: number;
  peakRss: number;
  state: SegmentRunState;
  /** The worker's own split, from its "segment sent" log line (when it logs one). */
  readMs?: number;
  sendMs?: number;
}

interface Round {
  reference: Measured<ReferenceResult>;
  worker: WorkerFigures;
}

/** One worker export: a run of a not-yet-sent export, its real queue message handled in this process. */
/** An export of the bench segment that only the bench runs (no schedule), hashing emails. */
export async function createBenchExport(
  services: Services,
  connectionId: string,
  displayName: string,
): Promise<string> {
  const created = await services.exports.create(
    {
      displayName,
      connectionId,
      advertiserId: DEMO_ADVERTISABLES[0].eid,
      emailField: 'Email',
      segments: [SEGMENT],
      hashEmails: true,
      schedule: { enabled: false },
    },
    ADMIN,
  );
  return created.id;
}

export async function workerExport(services: Services, exportId: string): Promise<WorkerFigures> {
  const run = await services.runs.startOnDemand(exportId, ADMIN, {});
  const queue = services.storage.queue(services.config.EXPORT_QUEUE_NAME);
  const { receivedMessageItems } = await queue.receiveMessages({
    numberOfMessages: 1,
    visibilityTimeout: 600,
  });
  const message = receivedMessageItems[0];
  if (!message) throw new Error('the run enqueued no message');
  const lines: string[] = [];
  const logger = createLogger((_level, line) => lines.push(line));
  const measured = await measure(() =>
    services.worker.handle(
      message.messageText,
      { dequeueCount: message.dequeueCount, messageId: message.messageId },
      logger,
    ),
  );
  await queue.deleteMessage(message.messageId, message.popReceipt);
  const finished = await services.runs.get(run.id);
  const state = finished?.segments.find((s) => s.segment === SEGMENT);
  if (!state || state.status !== 'succeeded' || !state.audience) {
    throw new Error(
      `the worker did not export the segment: ${state?.status ?? 'no state'} ${state?.error ? `${state.error.code}: ${state.error.message}` : ''}`,
    );
  }
  const sent = lines.find((line) => line.startsWith('segment sent'));
  const field = (name: string) => {
    const match = sent && new RegExp(`\\b${name}=(\\d+)`).exec(sent);
    return match ? Number(match[1]) : undefined;
  };
  return {
    ms: measured.ms,
    cpuMs: measured.cpuMs,
    peakRss: measured.peakRss,
    state,
    readMs: field('readMs'),
    sendMs: field('sendMs'),
  };
}

/**
 * The measuring child process: nothing but the two pipelines ran in it, so its RSS is theirs. Prints
 * one JSON line of figures.
 */
async function measureInChild(context: BenchContext): Promise<void> {
  const services = servicesFor(context.connectionString, context.rollworksUrl, context.secretKey);
  const container = services.storage.segmentsContainer();
  const rounds: Round[] = [];
  const baselineRss = process.memoryUsage().rss;
  for (const exportId of context.exportIds) {
    const reference = await measure(() => runReferencePipeline(container, SEGMENT));
    const worker = await workerExport(services, exportId);
    rounds.push({ reference, worker });
  }
  process.stdout.write(`${JSON.stringify({ baselineRss, rounds })}\n`);
}

function runChild(context: BenchContext): Promise<{ baselineRss: number; rounds: Round[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...profileArgs(), __filename, '--measure'], {
      env: { ...process.env, BENCH_CONTEXT: JSON.stringify(context) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the measuring process failed (exit ${code})`));
      resolve(JSON.parse(output.trim().split('\n').pop()!) as { baselineRss: number; rounds: Round[] });
    });
  });
}

export async function audienceSize(rollworksUrl: string, audienceId: string): Promise<number> {
  const response = await fetch(`${rollworksUrl}/__admin/state?members=false`);
  const state = (await response.json()) as { audiences: { id: string; memberCount: number }[] };
  return state.audiences.find((a) => a.id === audienceId)?.memberCount ?? -1;
}

async function main(): Promise<number> {
  const size = Number(process.env.BENCH_SEGMENT_SIZE ?? 250_000);
  if (!Number.isInteger(size) || size < 100) throw new Error('BENCH_SEGMENT_SIZE must be an integer >= 100');
  const runs = Number(process.env.BENCH_RUNS ?? 4);
  if (!Number.isInteger(runs) || runs < 2) throw new Error('BENCH_RUNS must be an integer >= 2');
  const startedAll = Date.now();
  const [azurite, simulator] = await Promise.all([startAzurite(), startSimulatorProcess()]);
  const problems: string[] = [];
  try {
    const secretKey = randomBytes(32).toString('base64');
    const services = servicesFor(azurite.connectionString, simulator.url, secretKey);
    const container = services.storage.segmentsContainer();
    await container.createIfNotExists();
    let at = Date.now();
    const generated = await generateSegment(container, SEGMENT, size, {
      format: 'csv',
      gzip: true,
      partitions: 4,
      seed: 21,
    });
    const partitions = generated.blobs.filter((blob) => blob.includes('/part-')).length;
    console.log(
      `Segment ${SEGMENT}: ${integer(generated.rowCount)} rows (CSV gzip, ${partitions} partitions), ` +
        `${integer(generated.uniqueEmails)} unique valid emails; generated in ${seconds(Date.now() - at)}`,
    );
    at = Date.now();
    const connectionId = await readyConnection(services);
    const exportIds: string[] = [];
    for (let round = 1; round <= runs; round++)
      exportIds.push(await createBenchExport(services, connectionId, `Bench export ${round}`));
    console.log(
      `Connection authorized through the simulator's sign-in form, ${runs} exports configured in ${seconds(Date.now() - at)}`,
    );
    console.log(`Measuring in a fresh process, ${runs} runs: reference, worker, reference, worker...`);

    const { baselineRss, rounds } = await runChild({
      connectionString: azurite.connectionString,
      rollworksUrl: simulator.url,
      secretKey,
      exportIds,
    });
    for (const [index, round] of rounds.entries()) {
      const members = await audienceSize(simulator.url, round.worker.state.audience!.id);
      if (round.reference.result.rows !== generated.rowCount) {
        problems.push(
          `run ${index + 1}: the reference read ${round.reference.result.rows} rows, not ${generated.rowCount}`,
        );
      }
      if (round.worker.state.counts.read !== generated.rowCount || members !== generated.uniqueEmails) {
        problems.push(
          `run ${index + 1}: the worker read ${round.worker.state.counts.read} rows and the audience holds ${members} members; expected ${generated.rowCount} and ${generated.uniqueEmails}`,
        );
      }
    }

    const rows = generated.rowCount;
    const optional = (ms: number | undefined) => (ms === undefined ? '–' : seconds(ms));
    const line = (label: string, pick: (r: Round) => string) => [label, ...rounds.map(pick)];
    console.log('');
    console.log(
      renderTable(
        [
          { title: '' },
          ...rounds.map((_, i) => ({
            title: `run ${i + 1} (${i === 0 ? 'cold' : 'warm'})`,
            align: 'right' as const,
          })),
        ],
        [
          line('(a) reference pipeline', (r) => seconds(r.reference.ms)),
          line('    rows/s', (r) => perSecond(rows, r.reference.ms)),
          line('    CPU', (r) => seconds(r.reference.cpuMs)),
          line('    process peak RSS', (r) => megabytes(r.reference.peakRss)),
          line('(b) worker end to end', (r) => seconds(r.worker.ms)),
          line('    rows/s', (r) => perSecond(rows, r.worker.ms)),
          line('    of which read+check', (r) => optional(r.worker.readMs)),
          line('    of which RollWorks send', (r) => optional(r.worker.sendMs)),
          line('    CPU (this process)', (r) => seconds(r.worker.cpuMs)),
          line('    process peak RSS', (r) => megabytes(r.worker.peakRss)),
          line('    members sent', (r) => integer(r.worker.state.counts.sent)),
          line('ratio (b) / (a)', (r) => `${(r.worker.ms / r.reference.ms).toFixed(2)}×`),
        ],
      ),
    );
    const warmRatios = rounds
      .slice(1)
      .map((r) => r.worker.ms / r.reference.ms)
      .sort((a, b) => a - b);
    const middle = Math.floor(warmRatios.length / 2);
    const ratio =
      warmRatios.length % 2 === 1 ? warmRatios[middle] : (warmRatios[middle - 1] + warmRatios[middle]) / 2;
    const peak = Math.max(...rounds.map((r) => Math.max(r.reference.peakRss, r.worker.peakRss)));
    console.log('');
    console.log(
      `Measuring process: RSS ${megabytes(baselineRss)} at start, peak ${megabytes(peak)} (sampled every 50 ms).`,
    );
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(
      `Targets: end to end ≤ ${RATIO_TARGET}× the reference: ${ratio.toFixed(2)}× (median of the warm runs) → ${verdict(ratio <= RATIO_TARGET)}; ` +
        `peak RSS ≤ ${RSS_TARGET_MB} MB: ${megabytes(peak)} → ${verdict(peak <= RSS_TARGET_MB * MB)}.`,
    );
    console.log(`Benchmark finished in ${seconds(Date.now() - startedAll)}.`);
  } finally {
    await Promise.all([azurite.stop(), simulator.stop()]);
  }
  if (problems.length > 0) {
    console.error(`Benchmark results are wrong:\n  - ${problems.join('\n  - ')}`);
    return 1;
  }
  return 0;
}

const measuring = process.argv.includes('--measure');
// Imported by bench/suppressionBench.ts for its machinery: then nothing runs.
if (require.main === module) {
  (measuring
    ? measureInChild(JSON.parse(process.env.BENCH_CONTEXT ?? '{}') as BenchContext).then(() => 0)
    : main()
  ).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`Benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
