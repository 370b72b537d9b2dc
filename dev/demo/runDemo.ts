import type { ContainerClient } from '@azure/storage-blob';
import { loadConfig } from '../../shared/config/config';
import { redact } from '../../shared/logging/logger';
import type { Connection } from '../../shared/model/connection';
import type { MatchPoint } from '../../shared/matching/matchStore';
import type { ExportConfig } from '../../shared/model/export';
import { isFinalRunStatus, type Run } from '../../shared/model/run';
import { createStorageClients } from '../../shared/storage/clients';
import { signLocalToken } from '../localAuth';
import { startLocalStack, type LocalStack } from '../localStack';
import type { HostLogLevel } from '../localHost/invoker';
import { generateSegment, mutateSegment, type GeneratedSegment } from '../segmentGenerator';
import { DEMO_ADVERTISABLES, DEMO_USER } from '../simulator';
import { apiClient, ApiCallError, type ApiClient, type Problem } from './apiClient';
import { checkAudience, expectedMembers } from './audienceCheck';
import { reportMatchesLater, startDemoReceiver } from './eventsDemo';
import { integer, perSecond, seconds, styles, type Styles } from './format';
import { openCallback, signInAndAllow } from './oauthSignIn';
import type { DemoOutput } from './output';
import { portOrFree } from './ports';
import { ProgressDisplay } from './progress';
import { renderTable } from './table';

export const BIG_SEGMENT = 'high-value-customers';
export const NEWSLETTER_SEGMENT = 'newsletter-subscribers';
export const VIP_SEGMENT = 'vip-preview';
const EMAIL_FIELD = 'Email';

export interface DemoSizes {
  big: number;
  newsletter: number;
  vip: number;
}

export interface AfterRunContext {
  /** 1 for the first run, 2 for the run after the change. */
  round: 1 | 2;
  run: Run;
  exportConfig: ExportConfig;
  stack: LocalStack;
  segmentsContainer: ContainerClient;
}

export interface DemoOptions {
  sizes: DemoSizes;
  /** Share of the big segment's members changed before the second run. */
  mutateShare: number;
  /** Always use free ports instead of the stack's defaults (tests). */
  freePorts: boolean;
  out: DemoOutput;
  /** How often the run is polled, ms. */
  pollMs?: number;
  /** Longest wait for one run, ms. */
  runTimeoutMs?: number;
  signal?: AbortSignal;
  /** Tests: called after each run is checked, while the stack still runs. */
  afterRun?: (context: AfterRunContext) => Promise<void>;
}

export interface DemoReport {
  runs: Run[];
  totalMs: number;
}

/** A failure the demo explains in one message. */
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}

const positiveInteger = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new DemoError(`${name} must be an integer >= ${min}`);
  return value;
};

/** Sizes and ports from the environment (`DEMO_BIG_SEGMENT_SIZE`, ...), the issue's figures by default. */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv, out: DemoOutput): DemoOptions {
  const share = Number(env.DEMO_MUTATE_SHARE ?? '0.05');
  if (!(share > 0 && share < 1)) throw new DemoError('DEMO_MUTATE_SHARE must be between 0 and 1');
  return {
    sizes: {
      big: positiveInteger(env, 'DEMO_BIG_SEGMENT_SIZE', 250_000, 100),
      newsletter: positiveInteger(env, 'DEMO_NEWSLETTER_SEGMENT_SIZE', 5_000, 100),
      vip: positiveInteger(env, 'DEMO_VIP_SEGMENT_SIZE', 60),
    },
    mutateShare: share,
    freePorts: env.DEMO_FREE_PORTS === '1' || env.DEMO_FREE_PORTS === 'true',
    out,
  };
}

/**
 * The end-to-end demo on the embedded stack: generated segments, a connection authorized through
 * RollWorks' (the simulator's) sign-in page, a refused too-small export, an export of two segments
 * run twice (the second time after a change), progress bars, result tables and a check of every
 * audience against the simulator. Throws DemoError (or another error) on any failure; always stops
 * the stack. Never prints an email, a hash or a token.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const { out } = options;
  const style = styles(out.isTTY);
  const hostProblems: string[] = [];
  const say = (text = '') => out.write(`${text}\n`);
  const checkAborted = () => {
    if (options.signal?.aborted) throw new DemoError('interrupted');
  };

  async function step<T>(title: string, work: () => Promise<T>, summary?: (result: T) => string): Promise<T> {
    checkAborted();
    const at = Date.now();
    say(`${style.bold('▸')} ${title}`);
    const result = await work();
    const [first, ...more] = (summary ? summary(result) : '').split('\n');
    say(`  ${style.green('✓')} ${first || 'done'} ${style.dim(`(${seconds(Date.now() - at)})`)}`);
    for (const line of more) say(line);
    return result;
  }

  say(style.bold('RollWorks export demo'));
  say(style.dim('Segments are generated locally; emails, hashes and tokens are never printed.'));
  say();

  const stack = await step(
    'Starting the embedded stack (Azurite, RollWorks simulator, local Functions host)',
    () => startStack(options.freePorts, hostProblems),
    (s) =>
      `up on 127.0.0.1\n    Functions host   ${s.urls.functions}\n    RollWorks        ${s.urls.rollworks} (simulator)\n    Azurite blob     ${s.urls.azurite?.blob ?? '(from the environment)'}`,
  );
  const runs: Run[] = [];
  let stopReceiver: () => Promise<void> = async () => undefined;
  try {
    if (!stack.simulator) throw new DemoError('the demo needs the RollWorks simulator of the embedded stack');
    const simulatorUrl = stack.simulator.url;
    const token = await signLocalToken({ roles: ['Exports.Admin'], sub: 'demo-admin', name: 'Demo Admin' });
    const api = apiClient(stack.urls.api, token);
    const config = loadConfig(stack.settings);
    const container = createStorageClients(config).segmentsContainer();

    // ---- segments ----
    const generated = await step(
      'Generating segments in Azurite',
      async () => {
        await container.createIfNotExists();
        const big = await generateSegment(container, BIG_SEGMENT, options.sizes.big, {
          format: 'csv',
          gzip: true,
          partitions: 4,
          invalidEmailShare: 0.01,
          duplicateShare: 0.005,
          collectEmails: true,
          seed: 11,
        });
        const newsletter = await generateSegment(container, NEWSLETTER_SEGMENT, options.sizes.newsletter, {
          format: 'jsonl',
          collectEmails: true,
          seed: 12,
        });
        const vip = await generateSegment(container, VIP_SEGMENT, options.sizes.vip, {
          format: 'csv',
          seed: 13,
        });
        return { big, newsletter, vip };
      },
      (g) =>
        `${integer(g.big.rowCount + g.newsletter.rowCount + g.vip.rowCount)} profiles in 3 segments\n` +
        renderTable(
          [
            { title: 'segment' },
            { title: 'format' },
            { title: 'rows', align: 'right' },
            { title: 'invalid', align: 'right' },
            { title: 'duplicates', align: 'right' },
            { title: 'unique emails', align: 'right' },
            { title: 'blobs', align: 'right' },
          ],
          [
            [g.big, 'CSV, gzip'],
            [g.newsletter, 'JSON Lines'],
            [g.vip, 'CSV'],
          ].map(([segment, format]) => {
            const s = segment as GeneratedSegment;
            return [
              s.name,
              format as string,
              integer(s.rowCount),
              integer(s.invalidEmails),
              integer(s.duplicateEmails),
              integer(s.uniqueEmails),
              String(s.blobs.filter((b) => /\/part-/.test(b)).length),
            ];
          }),
          '    ',
        ),
    );

    // ---- connection ----
    const connection = await step(
      'Connecting RollWorks: create the connection, sign in on RollWorks and allow, add an export user',
      () => connectRollWorks(api),
      (c) =>
        `connection ${c.id} is ${c.status} for RollWorks organization "${c.rollworks?.organizationName ?? '?'}" (export user: ${c.exportUser?.name ?? '?'})`,
    );

    // ---- refused export ----
    const advertiser = DEMO_ADVERTISABLES[0];
    const exportRequest = (displayName: string, segments: string[]) => ({
      displayName,
      connectionId: connection.id,
      advertiserId: advertiser.eid,
      emailField: EMAIL_FIELD,
      segments,
      hashEmails: true,
      schedule: { enabled: false },
    });
    await step(
      `Trying an export of "${VIP_SEGMENT}" (${integer(options.sizes.vip)} profiles): RollWorks needs at least 100`,
      async () => {
        const response = await api.call<Problem>(
          'POST',
          '/exports',
          exportRequest('VIP preview', [VIP_SEGMENT]),
        );
        const detail = response.body?.detail ?? '';
        if (response.status !== 422) {
          throw new DemoError(
            `an export of the ${options.sizes.vip}-profile segment was expected to be refused with 422, got ${response.status}`,
          );
        }
        if (!/fewer than/i.test(detail)) {
          throw new DemoError(
            `the refusal does not say the segment has fewer than the minimum: "${redact(detail)}"`,
          );
        }
        return { status: response.status, title: response.body?.title ?? '', detail };
      },
      (refusal) => `refused as expected: ${refusal.status} ${refusal.title}\n    "${redact(refusal.detail)}"`,
    );

    // ---- the export ----
    const exportConfig = await step(
      `Configuring an export of "${BIG_SEGMENT}" and "${NEWSLETTER_SEGMENT}" to ${advertiser.name}`,
      () =>
        api.expect<ExportConfig>(
          201,
          'POST',
          '/exports',
          exportRequest('Contoso CRM sync', [BIG_SEGMENT, NEWSLETTER_SEGMENT]),
        ),
      (e) => `export ${e.id} "${e.displayName}" → advertiser "${e.advertiserName}", emails hashed (MD5)`,
    );

    const receiver = await startDemoReceiver();
    stopReceiver = receiver.stop;
    await step(
      `Subscribing a webhook receiver (${receiver.url}) to run.succeeded and match.reported`,
      () => receiver.subscribe(api, ['run.succeeded', 'match.reported']),
      (w) => `webhook ${w.id}: signed CloudEvents (Standard Webhooks), its secret shown once`,
    );

    const totals = new Map([
      [BIG_SEGMENT, generated.big.rowCount],
      [NEWSLETTER_SEGMENT, generated.newsletter.rowCount],
    ]);
    const expected = new Map([
      [BIG_SEGMENT, { segment: generated.big, added: generated.big.uniqueEmails, removed: 0 }],
      [
        NEWSLETTER_SEGMENT,
        { segment: generated.newsletter, added: generated.newsletter.uniqueEmails, removed: 0 },
      ],
    ]);

    // ---- first run ----
    say();
    say(style.bold('Run 1: on demand, first send (creates the CRM audiences)'));
    const first = await runExport(api, exportConfig.id, totals, options, style);
    runs.push(first);
    printResults(first, out, style);
    await checkRun(first, expected, exportConfig, simulatorUrl, 1, out, style);
    await options.afterRun?.({ round: 1, run: first, exportConfig, stack, segmentsContainer: container });
    await step(
      'Waiting for the webhook delivery of the run',
      () => receiver.next('run.succeeded'),
      (event) =>
        `${event.type} ${event.id} for export ${event.subject}: signature verified\n    "${redact(String(event.data.message))}"`,
    );
    printHostProblems(hostProblems, out, style);

    // ---- change 5% and run again ----
    say();
    const mutated = await step(
      `Changing ${Math.round(options.mutateShare * 100)}% of "${BIG_SEGMENT}" (replaced, removed and new profiles)`,
      () =>
        mutateSegment(container, BIG_SEGMENT, { share: options.mutateShare, seed: 7, collectEmails: true }),
      (m) =>
        `now ${integer(m.rowCount)} rows, ${integer(m.uniqueEmails)} unique emails: ${integer(m.added)} new and ${integer(m.removed)} gone versus the first version`,
    );
    delete generated.big.emails; // the first version's members are not needed any more
    totals.set(BIG_SEGMENT, mutated.rowCount);
    expected.set(BIG_SEGMENT, { segment: mutated, added: mutated.added, removed: mutated.removed });
    expected.set(NEWSLETTER_SEGMENT, { segment: generated.newsletter, added: 0, removed: 0 });

    say();
    say(
      style.bold(
        'Run 2: on demand, after the change (replaces the changed audience, skips the unchanged one)',
      ),
    );
    const second = await runExport(api, exportConfig.id, totals, options, style);
    runs.push(second);
    printResults(second, out, style);
    await checkRun(second, expected, exportConfig, simulatorUrl, 2, out, style);
    await options.afterRun?.({ round: 2, run: second, exportConfig, stack, segmentsContainer: container });
    printHostProblems(hostProblems, out, style);

    say();
    await step(
      'Moving the clock 73 hours forward: RollWorks has matched the lists; asking for the match report',
      async () => {
        const reports = await reportMatchesLater(stack.settings, 73);
        const view = await api.expect<{ matchHistory?: MatchPoint[] }>(
          200,
          'GET',
          `/exports/${exportConfig.id}`,
        );
        const event = await receiver.next('match.reported');
        return { reports, history: view.matchHistory ?? [], event };
      },
      ({ reports, history, event }) =>
        `${reports} audience(s) reported in one User Lists request; ${event.type} delivered and verified\n` +
        renderTable(
          [
            { title: 'segment' },
            { title: 'sent', align: 'right' },
            { title: 'matched', align: 'right' },
            { title: 'rate', align: 'right' },
          ],
          history.map((p) => [
            p.segment,
            integer(p.sent),
            integer(p.matched),
            `${(p.rate * 100).toFixed(1)}%`,
          ]),
          '    ',
        ),
    );
  } catch (error) {
    printHostProblems(hostProblems, out, style);
    throw error;
  } finally {
    say();
    const stopAt = Date.now();
    await stopReceiver();
    await stack.stop();
    say(`${style.dim(`Stack stopped (${seconds(Date.now() - stopAt)}).`)}`);
  }
  const totalMs = Date.now() - started;
  say(`${style.green('✓')} Demo finished in ${style.bold(seconds(totalMs))}.`);
  return { runs, totalMs };
}

async function startStack(freePorts: boolean, hostProblems: string[]): Promise<LocalStack> {
  const log = (level: HostLogLevel, message: string, functionName?: string) => {
    if (level === 'warn' || level === 'error')
      hostProblems.push(`${level} ${functionName ? `[${functionName}] ` : ''}${redact(message)}`);
  };
  const defaults = { blob: 10000, queue: 10001, table: 10002, host: 7071, simulator: 7072 };
  const pick = async (port: number) => (freePorts ? 0 : portOrFree(port));
  const start = async (ports: typeof defaults) =>
    startLocalStack({
      azuritePorts: { blob: ports.blob, queue: ports.queue, table: ports.table },
      hostPort: ports.host,
      simulatorPort: ports.simulator,
      env: {},
      log,
    });
  const chosen = {
    blob: await pick(defaults.blob),
    queue: await pick(defaults.queue),
    table: await pick(defaults.table),
    host: await pick(defaults.host),
    simulator: await pick(defaults.simulator),
  };
  try {
    return await start(chosen);
  } catch (error) {
    if (Object.values(chosen).every((port) => port === 0)) throw error;
    // A default port was taken between the check and the start: everything on free ports.
    return start({ blob: 0, queue: 0, table: 0, host: 0, simulator: 0 });
  }
}

async function connectRollWorks(api: ApiClient): Promise<Connection> {
  const created = await api.expect<Connection>(201, 'POST', '/connections', {
    displayName: 'Contoso Outdoor (demo)',
    access: 'admins',
    dataPrivacyConsent: true,
  });
  const { authorizeUrl } = await api.expect<{ authorizeUrl: string }>(
    200,
    'POST',
    `/connections/${created.id}/authorize`,
  );
  const callbackUrl = await signInAndAllow(authorizeUrl, {
    username: DEMO_USER.username,
    password: DEMO_USER.password,
  });
  const page = await openCallback(callbackUrl);
  if (page.status !== 200 || !/is now authorized/i.test(page.text)) {
    throw new DemoError(
      `the OAuth callback page did not say the connection is authorized (${page.status}): ${redact(page.text.slice(0, 300))}`,
    );
  }
  await api.expect<Connection>(200, 'POST', `/connections/${created.id}/export-user`);
  const connection = await api.expect<Connection>(200, 'GET', `/connections/${created.id}`);
  if (connection.status !== 'ready') {
    throw new DemoError(`the connection is ${connection.status} after sign-in and export user, not ready`);
  }
  return connection;
}

async function runExport(
  api: ApiClient,
  exportId: string,
  totals: Map<string, number>,
  options: DemoOptions,
  style: Styles,
): Promise<Run> {
  const requested = Date.now();
  const accepted = await api.call<Run | Problem>('POST', `/exports/${exportId}/runs`, {});
  if (accepted.status !== 202) {
    throw new ApiCallError(`POST /api/exports/${exportId}/runs`, accepted.status, accepted.body as Problem);
  }
  const location = accepted.headers.get('location') ?? `/api/runs/${(accepted.body as Run).id}`;
  const runPath = location.replace(/^.*?\/api(?=\/)/, '');
  options.out.write(`  POST /api/exports/${exportId}/runs → 202, Location: ${location}\n`);
  const display = new ProgressDisplay(options.out, totals);
  const deadline = requested + (options.runTimeoutMs ?? 10 * 60_000);
  for (;;) {
    if (options.signal?.aborted) throw new DemoError('interrupted');
    const run = await api.expect<Run>(200, 'GET', runPath);
    display.update(run);
    if (isFinalRunStatus(run.status)) {
      options.out.write(
        `  run ${run.id}: ${run.status === 'succeeded' ? style.green(run.status) : style.red(run.status)}${run.reason ? ` (${redact(run.reason)})` : ''} in ${seconds(Date.now() - requested)} from the request\n`,
      );
      return run;
    }
    const parked = run.segments.find((s) => s.status === 'waitingForQuota');
    if (parked) {
      throw new DemoError(
        `segment ${parked.segment} waits for the next UTC day: ${redact(parked.error?.message ?? 'the RollWorks request budget is used up')}`,
      );
    }
    if (Date.now() > deadline) {
      throw new DemoError(`run ${run.id} is still ${run.status} after ${seconds(Date.now() - requested)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

const segmentMs = (state: Run['segments'][number]) =>
  state.startedAt && state.finishedAt ? Date.parse(state.finishedAt) - Date.parse(state.startedAt) : 0;

function printResults(run: Run, out: DemoOutput, style: Styles): void {
  const rows = run.segments.map((s) => [
    s.segment,
    s.status === 'succeeded' ? style.green(s.status) : style.red(s.status),
    s.reason ?? s.error?.code ?? '',
    integer(s.counts.read),
    integer(s.counts.invalid),
    integer(s.counts.duplicates),
    integer(s.counts.valid),
    integer(s.counts.sent),
    integer(s.counts.added),
    integer(s.counts.removed),
    s.audience?.id ?? '–',
    seconds(segmentMs(s)),
  ]);
  out.write('\n');
  out.write(
    renderTable(
      [
        { title: 'segment' },
        { title: 'status' },
        { title: 'reason' },
        { title: 'read', align: 'right' },
        { title: 'invalid', align: 'right' },
        { title: 'duplicates', align: 'right' },
        { title: 'valid', align: 'right' },
        { title: 'sent', align: 'right' },
        { title: 'added', align: 'right' },
        { title: 'removed', align: 'right' },
        { title: 'audience id' },
        { title: 'time', align: 'right' },
      ],
      rows,
    ),
  );
  out.write('\n');
  for (const s of run.segments) {
    if (s.error) out.write(`  ${style.red('!')} ${s.segment}: ${s.error.code}: ${redact(s.error.message)}\n`);
    const ms = segmentMs(s);
    if (ms > 0 && s.counts.read > 0)
      out.write(
        `  ${s.segment}: ${integer(s.counts.read)} rows in ${seconds(ms)} = ${perSecond(s.counts.read, ms)} end to end\n`,
      );
  }
}

async function checkRun(
  run: Run,
  expected: Map<string, { segment: GeneratedSegment; added: number; removed: number }>,
  exportConfig: ExportConfig,
  simulatorUrl: string,
  round: 1 | 2,
  out: DemoOutput,
  style: Styles,
): Promise<void> {
  const problems: string[] = [];
  out.write('\n  Checking against the RollWorks simulator:\n');
  for (const state of run.segments) {
    const want = expected.get(state.segment);
    if (!want) {
      problems.push(`the run has an unexpected segment "${state.segment}"`);
      continue;
    }
    const { segment } = want;
    const unchanged = round === 2 && want.added === 0 && want.removed === 0;
    const wantCounts = {
      read: segment.rowCount,
      invalid: segment.invalidEmails,
      duplicates: segment.duplicateEmails,
      valid: segment.uniqueEmails,
      sent: unchanged ? 0 : segment.uniqueEmails,
      added: want.added,
      removed: want.removed,
    };
    const wrong = (Object.keys(wantCounts) as (keyof typeof wantCounts)[]).filter(
      (key) => state.counts[key] !== wantCounts[key],
    );
    if (state.status !== 'succeeded') {
      problems.push(
        `${state.segment} ${state.status}${state.error ? `: ${state.error.code}: ${redact(state.error.message)}` : ''}`,
      );
    }
    if (wrong.length > 0) {
      problems.push(
        `${state.segment} counts differ from the generated segment: ${wrong.map((k) => `${k} ${state.counts[k]} (expected ${wantCounts[k]})`).join(', ')}`,
      );
    }
    if (unchanged && state.reason !== 'unchanged') {
      problems.push(
        `${state.segment} did not change, but the run says "${state.reason ?? 'sent'}" instead of "unchanged"`,
      );
    }
    if (!state.audience) {
      problems.push(`${state.segment} has no RollWorks audience`);
      continue;
    }
    const check = await checkAudience(
      simulatorUrl,
      state.audience,
      expectedMembers(segment.emails ?? [], exportConfig.hashEmails),
    );
    const line = `audience ${state.audience.id} "${state.audience.name}" holds ${integer(check.memberCount)} members`;
    if (check.ok) {
      out.write(
        `  ${style.green('✓')} ${state.segment}: ${line}, exactly the segment's ${integer(check.expectedCount)} unique valid emails (MD5)\n`,
      );
    } else {
      out.write(`  ${style.red('✗')} ${state.segment}: ${line}\n`);
      problems.push(
        `${state.segment}: the audience differs from the segment: ${check.missing} missing, ${check.extra} extra, ${check.audiencesWithName} live audience(s) with its name`,
      );
    }
  }
  if (problems.length > 0) throw new DemoError(`run ${run.id} is not right:\n  - ${problems.join('\n  - ')}`);
}

function printHostProblems(lines: string[], out: DemoOutput, style: Styles): void {
  if (lines.length === 0) return;
  out.write(`\n  ${style.yellow(`The Functions host logged ${lines.length} warning(s)/error(s):`)}\n`);
  for (const line of lines.slice(-15)) out.write(`    ${line.split('\n')[0].slice(0, 300)}\n`);
  lines.length = 0;
}
