/**
 * `npm run bench:recovery`: how long a run takes to finish, correctly, after its worker is killed
 * (kill -9) mid-read and mid-send, with the default settings (RUN_STALE_AFTER_SECONDS=120, the
 * watchdog every 30 s). Storage (Azurite) and RollWorks (the simulator) run in this process and
 * survive, as they do in Azure; the Functions host runs in a child process that is killed and started
 * again at once, as the platform would start another instance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../dev/azurite';
import { apiClient, type ApiClient } from '../dev/demo/apiClient';
import { signLocalToken } from '../dev/localAuth';
import { readyConnection } from '../dev/readyConnection';
import { generateSegment } from '../dev/segmentGenerator';
import { DEFAULT_CLIENT, DEMO_ADVERTISABLES, startSimulator, type RunningSimulator } from '../dev/simulator';

const HOST_PORT = 7181;
const PROFILES = Number(process.env.RECOVERY_BENCH_PROFILES ?? 250_000);

interface RunView {
  status: string;
  segments: { status: string; counts: { valid: number; sent: number } }[];
}

const hosts = new Set<ChildProcess>();

function startHost(root: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'recoveryStack.js'), root, String(HOST_PORT)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  hosts.add(child);
  child.once('exit', () => hosts.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready ')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the host exited with ${code} before it was ready`)));
  });
}

const kill = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

const liveAudiences = (simulator: RunningSimulator) =>
  [...simulator.state.audiences.values()].filter((audience) => !audience.deleted);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(api: ApiClient, runId: string, done: (run: RunView) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await api.expect<RunView>(200, 'GET', `/runs/${runId}`).catch(() => undefined);
    if (run && done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not get there in ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

async function measure(
  phase: 'read' | 'send',
  context: {
    root: string;
    env: NodeJS.ProcessEnv;
    simulator: RunningSimulator;
    api: ApiClient;
    connectionId: string;
  },
): Promise<number> {
  const { simulator, api } = context;
  let host = await startHost(context.root, context.env);
  // An export of its own, so its first send creates an audience and carries every member.
  const { id: exportId } = await api.expect<{ id: string }>(201, 'POST', '/exports', {
    displayName: `Recovery bench mid-${phase}`,
    connectionId: context.connectionId,
    advertiserId: DEMO_ADVERTISABLES[0].eid,
    emailField: 'Email',
    segments: ['recovery'],
    schedule: { enabled: false },
  });
  const audiencesBefore = liveAudiences(simulator).length;
  // Mid-send: RollWorks answers slowly, so the kill lands while the members request is in flight.
  simulator.state.setFaults(phase === 'send' ? { latencyMs: 8_000 } : {});
  const { id: runId } = await api.expect<{ id: string }>(202, 'POST', `/exports/${exportId}/runs`, {});
  // Mid-read: as soon as the worker has taken the segment (its read of 250,000 rows lasts about a second).
  const caught = await waitFor(
    api,
    runId,
    (run) =>
      run.status !== 'queued' &&
      (phase === 'read' ? run.segments[0].status === 'running' : run.segments[0].counts.valid > 0), // read and counted: the RollWorks calls are next
    120_000,
  );
  if (caught.segments[0].status !== 'running')
    throw new Error(`the run was ${caught.status} before the kill`);
  if (phase === 'send') await sleep(2_000); // the members request is on its way
  const killedAt = Date.now();
  await kill(host);
  simulator.state.setFaults({});
  host = await startHost(context.root, context.env);
  const run = await waitFor(
    api,
    runId,
    (view) => ['succeeded', 'failed', 'partiallySucceeded'].includes(view.status),
    600_000,
  );
  const seconds = (Date.now() - killedAt) / 1000;
  await kill(host);
  const created = liveAudiences(simulator).slice(audiencesBefore);
  const sent = run.segments[0].counts.sent;
  const correct =
    run.status === 'succeeded' && created.length === 1 && sent > 0 && created[0].members.size === sent;
  process.stdout.write(
    `killed mid-${phase}: ${run.status} ${seconds.toFixed(1)} s after the kill; ${created.length} new audience(s) holding ${created[0]?.members.size ?? 0} members, ${sent} sent${correct ? '' : '  ← NOT CORRECT'}\n`,
  );
  if (!correct) process.exitCode = 1;
  return seconds;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'recovery-bench-'));
  const azurite = await startAzurite({ blob: 0, queue: 0, table: 0 }, 60_000);
  const simulator = await startSimulator({ port: 0, clients: [DEFAULT_CLIENT] });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AzureWebJobsStorage: azurite.connectionString,
    ROLLWORKS_API_BASE_URL: simulator.url,
    ROLLWORKS_AUTH_BASE_URL: simulator.url,
    ROLLWORKS_CLIENT_ID: DEFAULT_CLIENT.clientId,
    ROLLWORKS_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    ROLLWORKS_DAILY_REQUEST_BUDGET: '10000',
  };
  try {
    const segments = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'segments',
    );
    await segments.createIfNotExists();
    await generateSegment(segments, 'recovery', PROFILES, { seed: 11 });
    const token = await signLocalToken({ roles: ['Exports.Admin'], sub: 'bench', name: 'Bench' }, root);
    const api = apiClient(`http://127.0.0.1:${HOST_PORT}/api`, token);

    const setup = await startHost(root, env);
    const connection = await readyConnection(api, { displayName: 'Recovery bench', access: 'admins' });
    await kill(setup);

    process.stdout.write(
      `recovery with default settings, ${PROFILES.toLocaleString('en-US')} profiles (target ≤ 180 s)\n`,
    );
    const context = { root, env, simulator, api, connectionId: connection.id };
    const read = await measure('read', context);
    const send = await measure('send', context);
    process.stdout.write(`kill to finished: mid-read ${read.toFixed(1)} s, mid-send ${send.toFixed(1)} s\n`);
  } finally {
    await Promise.all([...hosts].map(kill));
    await simulator.stop();
    await azurite.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
