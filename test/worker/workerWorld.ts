import { createHash, randomUUID } from 'node:crypto';
import { sharedStorage } from '../support/sharedAzurite';
import { DEFAULT_CLIENT, startSimulator, type RunningSimulator } from '../../dev/simulator';
import type { AudienceDestination } from '../../shared/destinations/destination';
import { createServices, type Services } from '../../shared/services';
import { createLogger, type Logger } from '../../shared/logging/logger';
import { createRollWorksDestination } from '../../shared/destinations/rollworks';
import { createRequestBudget } from '../../shared/destinations/rollworks/requestBudget';
import { createDestinations } from '../../shared/destinations/registry';
import { createStorageClients } from '../../shared/storage/clients';
import { createExportWorker, type ExportWorkerOptions } from '../../shared/worker/exportWorker';
import { audienceName } from '../../shared/worker/audienceName';
import { workerPorts, type WorkerPorts } from '../../shared/worker/workerPorts';
import type { ExportConfig } from '../../shared/model/export';
import type { Connection } from '../../shared/model/connection';
import type { QueueEnvelope } from '../../shared/queue/envelope';
import { testConfig } from './fakes/testConfig';
import { createFakeRuns } from './fakes/fakeRuns';
import { createFakeQueue } from './fakes/fakeQueue';
import { connection, createFakeCatalog, exportConfig } from './fakes/fakeExports';

export const CLIENT_COUNT = 40;

/**
 * Storage (the Azurite jest shares between test files) and a RollWorks simulator for one test file;
 * each world gets its own client id (so its own request budget and simulator quota) and containers.
 */
export async function startBackends() {
  const suffix = randomUUID().slice(0, 8);
  const clientIds = Array.from({ length: CLIENT_COUNT }, (_, i) => `worker-client-${i}-${suffix}`);
  const [storage, simulator] = await Promise.all([
    sharedStorage(),
    startSimulator({
      clients: [
        DEFAULT_CLIENT,
        ...clientIds.map((clientId) => ({ ...DEFAULT_CLIENT, clientId, clientSecret: 'secret' })),
      ],
    }),
  ]);
  let next = 0;
  return {
    azurite: { connectionString: storage.connectionString },
    simulator,
    nextClientId: () => clientIds[next++],
    stop: async () => {
      await Promise.all([storage.stop(), simulator.stop()]);
    },
  };
}

export type Backends = Awaited<ReturnType<typeof startBackends>>;

/**
 * Backends for the calling describe block and a `world` factory (`defaults` under each world's
 * options). After each test, no world's log holds an email, an MD5 digest or a bearer token, and the
 * simulator's faults are cleared.
 */
export function useWorlds(defaults: Parameters<typeof createWorld>[1] = {}) {
  let backends: Backends | undefined;
  const worlds: World[] = [];
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(() => backends?.stop());
  afterEach(() => {
    for (const w of worlds) {
      const text = w.logLines.join('\n');
      expect(text).not.toMatch(/@example\.com/i);
      expect(text).not.toMatch(/\b[a-f0-9]{32}\b/);
      expect(text).not.toMatch(/Bearer\s+\w/);
    }
    worlds.length = 0;
    backends?.simulator.state.setFaults({});
  });
  const started = (): Backends => {
    if (!backends) throw new Error('the backends start in beforeAll');
    return backends;
  };
  return {
    get backends() {
      return started();
    },
    world(options: Parameters<typeof createWorld>[1] = {}): World {
      const created = createWorld(started(), { ...defaults, ...options });
      worlds.push(created);
      return created;
    },
  };
}

/** What a world needs: storage, a RollWorks client id per world, and the simulator (unless `destination`). */
export interface WorldBackends {
  azurite: { connectionString: string };
  nextClientId: () => string;
  simulator?: RunningSimulator;
}

export interface Segment {
  /** Raw values of the email column, in row order. */
  values: string[];
  /** Unique valid emails after normalization, computed independently of the worker. */
  expected: string[];
}

/** `valid` distinct addresses (mixed case), `duplicates` re-spellings of early ones, `invalid` bad values. */
export function makeSegment(prefix: string, valid: number, duplicates = 0, invalid = 0, offset = 0): Segment {
  const values: string[] = [];
  const expected: string[] = [];
  for (let i = offset; i < offset + valid; i++) {
    values.push(`${prefix}.Person${i}@Example.com`);
    expected.push(`${prefix}.person${i}@example.com`.toLowerCase());
  }
  for (let i = 0; i < duplicates; i++)
    values.push(`  ${prefix.toUpperCase()}.PERSON${offset + (i % valid)}@EXAMPLE.COM `);
  for (let i = 0; i < invalid; i++) values.push(i % 2 === 0 ? `broken-${i}.example.com` : `x${i}@nodot`);
  return { values, expected };
}

export const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/** One isolated scenario: its own client id (budget and quota), export, runs, queue and logs. */
export function createWorld(
  backends: WorldBackends,
  options: {
    settings?: Record<string, string>;
    worker?: ExportWorkerOptions;
    /** Wraps the worker's ports: faults are injected here (see fakes/faults.ts). */
    ports?: (ports: WorkerPorts) => WorkerPorts;
    connection?: Partial<Connection>;
    /** Exports to this destination instead of RollWorks (the simulator's helpers are then unusable). */
    destination?: AudienceDestination;
    export?: Partial<ExportConfig>;
    segments?: string[];
  } = {},
) {
  const clientId = backends.nextClientId();
  const simulator = () => {
    if (!backends.simulator) throw new Error('this world has no RollWorks simulator');
    return backends.simulator;
  };
  const simulatorUrl = backends.simulator?.url ?? 'http://127.0.0.1:9';
  const config = testConfig({
    AzureWebJobsStorage: backends.azurite.connectionString,
    ROLLWORKS_CLIENT_ID: clientId,
    ROLLWORKS_CLIENT_SECRET: 'secret',
    ROLLWORKS_API_BASE_URL: simulatorUrl,
    ROLLWORKS_AUTH_BASE_URL: simulatorUrl,
    ROLLWORKS_RETRY_BUDGET_MS: '10000',
    SEGMENTS_CONTAINER: `segments-${randomUUID().slice(0, 8)}`,
    STATE_CONTAINER: `state-${randomUUID().slice(0, 8)}`,
    ...options.settings,
  });
  const time = { now: new Date() };
  const runs = createFakeRuns();
  const queue = createFakeQueue();
  const issued = backends.simulator?.state.issueTokens(clientId, 'demo') ?? {
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
  };
  let tokens = { access: issued.accessToken, refresh: issued.refreshToken };
  const catalog = createFakeCatalog(() => ({
    get: async () => tokens.access,
    refresh: async () => {
      const grant = await rollworks.signIn.refresh(tokens.refresh);
      tokens = { access: grant.accessToken, refresh: grant.refreshToken };
      return tokens.access;
    },
  }));
  const logLines: string[] = [];
  const logger: Logger = createLogger((level, line) => logLines.push(`${level} ${line}`));
  const clock = { now: () => time.now };
  const storage = createStorageClients(config);
  const requestBudget = createRequestBudget(config, storage, clock);
  const rollworks = createRollWorksDestination(config, {
    budget: requestBudget,
    backoff: { baseMs: 5, capMs: 50 },
  });
  const destination = options.destination ?? rollworks;
  const shared = { clock, storage, requestBudget, destinations: createDestinations(destination), runs };
  const ports: WorkerPorts = {
    ...workerPorts(createServices(config, { ...shared, exportQueue: queue })),
    exports: catalog.exportService,
    connections: catalog.connectionService,
  };
  const worker = createExportWorker(options.ports ? options.ports(ports) : ports, options.worker);
  const services: Services = createServices(config, { ...shared, exportQueue: queue, worker });
  const exportId = `exp-${randomUUID().slice(0, 8)}`;
  const segments = options.segments ?? ['vip customers'];
  const exported = exportConfig({ id: exportId, segments, ...options.export });
  catalog.exports.set(exportId, exported);
  catalog.connections.set('conn-1', connection({ type: destination.type, ...options.connection }));

  const world = {
    config,
    clientId,
    time,
    runs,
    queue,
    services,
    worker,
    /** The worker's ports before any `options.ports` wrapper (e.g. for the watchdog). */
    ports,
    exportConfig: exported,
    logLines,
    logger,
    catalog,

    async writeSegment(name: string, segment: Segment, partitions = 1): Promise<void> {
      const container = services.storage.segmentsContainer();
      await container.createIfNotExists();
      for await (const blob of container.listBlobsFlat({ prefix: `${name}/` })) {
        await container.deleteBlob(blob.name);
      }
      const size = Math.ceil(segment.values.length / partitions);
      for (let p = 0; p < partitions; p++) {
        const rows = segment.values.slice(p * size, (p + 1) * size);
        const body = `email,first_name\n${rows.map((v, i) => `${v},Name${i}`).join('\n')}\n`;
        await container
          .getBlockBlobClient(`${name}/part-${String(p).padStart(5, '0')}.csv`)
          .upload(body, Buffer.byteLength(body));
      }
    },

    startRun(options: { dryRun?: boolean; force?: boolean } = {}) {
      const runId = `run-${randomUUID().slice(0, 8)}`;
      runs.add({ id: runId, exportId, segments, ...options });
      return { runId, message: (segment = segments[0]) => envelope(runId, segment, exportId) };
    },

    deliver(message: unknown, meta: { dequeueCount?: number; messageId?: string } = {}) {
      return worker.handle(
        message,
        { dequeueCount: meta.dequeueCount ?? 1, messageId: meta.messageId ?? 'msg-1' },
        logger,
      );
    },

    /** Live (not deleted) simulator audiences of this export's segment. */
    audiences(segment = segments[0]) {
      const name = audienceName(exported, segment);
      return [...simulator().state.audiences.values()].filter((a) => a.name === name && !a.deleted);
    },

    /** RollWorks calls this world's client made (never the admin endpoints). */
    requests() {
      return simulator().state.requestLog.filter((r) => r.clientId === clientId);
    },

    writes() {
      return world.requests().filter((r) => r.method !== 'GET');
    },

    /** The assertion after every worker test: one audience holding exactly these emails. */
    expectAudience(expected: string[], segment = segments[0]) {
      const found = world.audiences(segment);
      if (found.length !== 1) throw new Error(`expected exactly one audience, found ${found.length}`);
      const want = (exported.hashEmails ? expected.map(md5) : expected).sort();
      const have = [...found[0].members].sort();
      if (have.length !== want.length || have.some((m, i) => m !== want[i])) {
        throw new Error(`audience holds ${have.length} members, expected ${want.length} (or different ones)`);
      }
      return found[0];
    },
  };
  return world;
}

export function envelope(runId: string, segment: string, exportId: string): QueueEnvelope {
  return { v: 1, kind: 'exportSegment', runId, exportId, segment };
}

export type World = ReturnType<typeof createWorld>;
