import type { TableClient } from '@azure/data-tables';
import { getRun, getSegmentRejections, listRuns } from '../../functions/routes/runRoutes';
import { createExport } from '../../functions/routes/exportRoutes';
import { createRetention, type RetentionCounts } from '../../shared/retention/retentionService';
import { createIdempotencyStore } from '../../shared/runs/idempotencyStore';
import { RUN_HISTORY_TABLE } from '../../shared/runs/runStore';
import type { StorageClients } from '../../shared/storage/clients';
import { silentLogger } from '../../shared/logging/logger';
import { RejectionReport } from '../../shared/worker/rejectionReport';
import { createSegmentLeases, SEGMENT_WORK_TABLE } from '../../shared/worker/segmentLease';
import { exportBody, finishRun, startExportStack, type ExportStack } from '../exports/support/exportStack';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const SEGMENT = 'newsletter';

let stack: ExportStack;
const realNow = Date.now();
const ago = (ms: number) => new Date(realNow - ms);

beforeAll(async () => {
  stack = await startExportStack({ RUN_RETENTION_MIN_RUNS: '1' });
  await stack.writeSegment(SEGMENT, { rows: 3, manifestRows: 5_000 });
});
afterAll(() => stack?.stop());

async function newExport(): Promise<string> {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, [SEGMENT]),
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const leases = () => createSegmentLeases(() => stack.services.storage.table(SEGMENT_WORK_TABLE), 120_000);

/** A finished scheduled run created `age` ago, with the lease its worker released and, if asked, a report. */
async function seedRun(exportId: string, age: number, options: { report?: boolean } = {}): Promise<string> {
  const at = ago(age);
  stack.setNow(at);
  const run = await stack.services.runs.startScheduled(exportId, at);
  await finishRun(stack.services, run!.id);
  await leases().claim(run!.id, SEGMENT, 'message-1', at);
  await leases().release(run!.id, SEGMENT, 'message-1');
  if (options.report) {
    const report = new RejectionReport();
    report.add('part-00000.csv', 2, 'invalid email', 'j***@example.com');
    await stack.services.storage.stateContainer().createIfNotExists();
    await report.save(stack.services.storage.stateContainer(), run!.id, SEGMENT, at);
    await stack.services.runs.updateSegment(run!.id, SEGMENT, (current) => ({
      ...current,
      rejectionsUrl: `/api/runs/${run!.id}/segments/${SEGMENT}/rejections`,
    }));
  }
  stack.setNow(null);
  return run!.id;
}

const retention = (storage: Pick<StorageClients, 'table' | 'stateContainer'> = stack.services.storage) =>
  createRetention({ settings: stack.config, storage, clock: { now: () => new Date(realNow) } });

const readRun = (runId: string) =>
  stack.call(getRun, { method: 'GET', path: `/api/runs/${runId}`, params: { runId } });
const history = async (exportId: string) =>
  (
    await stack.call(listRuns, {
      method: 'GET',
      path: `/api/exports/${exportId}/runs`,
      params: { id: exportId },
    })
  ).body.runs.map((run: { id: string }) => run.id);
const rejections = (runId: string) =>
  stack.call(getSegmentRejections, {
    method: 'GET',
    path: `/api/runs/${runId}/segments/${SEGMENT}/rejections`,
    params: { runId, segment: SEGMENT },
  });
const leaseRows = async () => {
  const rows: string[] = [];
  for await (const entity of stack.services.storage.table(SEGMENT_WORK_TABLE).listEntities()) {
    rows.push(decodeURIComponent(entity.partitionKey!));
  }
  return rows;
};

const NOTHING: RetentionCounts = {
  runs: 0,
  segmentRows: 0,
  leaseRows: 0,
  notFinalRuns: 0,
  idempotencyKeys: 0,
  rejectionReports: 0,
  webhookDeliveries: 0,
  webhookEvents: 0,
};

test('retention deletes exactly what is past its age, keeps the latest runs and unfinished ones, and a second pass deletes nothing', async () => {
  const exportId = await newExport();
  const unfinished = await seedRun(exportId, 120 * DAY);
  const old100 = await seedRun(exportId, 100 * DAY, { report: true });
  const old95 = await seedRun(exportId, 95 * DAY);
  const young89 = await seedRun(exportId, 89 * DAY);
  const report20 = await seedRun(exportId, 20 * DAY, { report: true });
  const latest = await seedRun(exportId, 2 * HOUR, { report: true });
  // Still running after 120 days (a stuck worker): never deleted.
  await stack.services.runs.updateSegment(unfinished, SEGMENT, (current) => ({
    ...current,
    status: 'running',
    finishedAt: null,
  }));
  // Another export whose only run is old: kept, it is that export's latest.
  const quietExport = await newExport();
  const quietRun = await seedRun(quietExport, 200 * DAY);

  const keys = createIdempotencyStore(stack.services.storage);
  await keys.claim('alice', 'old-key', {}, 'run_x', ago(3 * DAY));
  await keys.claim('alice', 'new-key', {}, 'run_y', ago(2 * HOUR));

  const { deliveries, events } = stack.services.eventStores;
  const delivery = (eventId: string, age: number, state: 'delivered' | 'pending') => ({
    webhookId: 'wh_1',
    eventId,
    type: 'rollworks.export.run.succeeded',
    createdAt: ago(age).toISOString(),
    attempts: 1,
    state,
  });
  await deliveries.create(delivery('ev_old', 100 * DAY, 'delivered'));
  await deliveries.create(delivery('ev_stuck', 100 * DAY, 'pending'));
  await deliveries.create(delivery('ev_new', 1 * DAY, 'delivered'));
  const event = (id: string, age: number) => ({
    specversion: '1.0' as const,
    id,
    type: 'rollworks.export.run.succeeded',
    source: 'http://127.0.0.1:7071',
    time: ago(age).toISOString(),
    datacontenttype: 'application/json' as const,
    data: {},
  });
  await events.save(event('ev_old', 100 * DAY) as never);
  await events.save(event('ev_new', 1 * DAY) as never);

  const counts = await retention().run(silentLogger);
  expect(counts).toEqual({
    runs: 2, // 100 and 95 days old
    segmentRows: 2,
    // those two runs' leases, and the released leases of final segments older than a day
    leaseRows: 5,
    notFinalRuns: 1,
    idempotencyKeys: 1,
    rejectionReports: 2, // the 100-day-old run's (with the run) and the 20-day-old one
    webhookDeliveries: 1,
    webhookEvents: 1,
  });

  for (const runId of [old100, old95]) {
    expect(await readRun(runId)).toMatchObject({ status: 404, body: { code: 'RUN_NOT_FOUND' } });
  }
  expect(await history(exportId)).toEqual([latest, report20, young89, unfinished]);
  expect(await history(quietExport)).toEqual([quietRun]);
  expect((await readRun(young89)).body.status).toBe('succeeded');

  expect((await rejections(latest)).status).toBe(200);
  const expired = await rejections(report20);
  expect(expired.status).toBe(404);
  expect(expired.body).toMatchObject({ code: 'REJECTIONS_EXPIRED', field: 'segment' });
  expect(expired.body.detail).toContain('14 days');

  // The watchdog's table keeps only leases of segments not final yet or released within a day.
  expect((await leaseRows()).sort()).toEqual([latest, unfinished].sort());

  expect(await deliveries.read('wh_1', 'ev_stuck', ago(100 * DAY).toISOString())).toBeDefined();
  expect(await deliveries.read('wh_1', 'ev_new', ago(1 * DAY).toISOString())).toBeDefined();
  expect(await deliveries.read('wh_1', 'ev_old', ago(100 * DAY).toISOString())).toBeUndefined();
  expect(await events.read('ev_new')).toBeDefined();
  expect(await events.read('ev_old')).toBeUndefined();

  expect(await retention().run(silentLogger)).toEqual({ ...NOTHING, notFinalRuns: 1 });
});

/** The app's storage, except that deleting a history row fails once (the process dies mid-pass). */
function crashingOnceOnHistoryDelete(): Pick<StorageClients, 'table' | 'stateContainer'> {
  let crashed = false;
  const real = stack.services.storage;
  return {
    stateContainer: () => real.stateContainer(),
    table(name: string): TableClient {
      const client = real.table(name);
      if (name !== RUN_HISTORY_TABLE) return client;
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property === 'deleteEntity' && !crashed) {
            return async () => {
              crashed = true;
              throw new Error('instance stopped');
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
}

test('an interrupted pass leaves every run readable or gone, and the next pass finishes the work', async () => {
  const exportId = await newExport();
  const old = await seedRun(exportId, 150 * DAY, { report: true });
  const kept = await seedRun(exportId, 1 * HOUR);

  await expect(retention(crashingOnceOnHistoryDelete()).run(silentLogger)).rejects.toThrow(
    'instance stopped',
  );
  // The run went as a whole (header first); only its history row is left, which lists nothing.
  expect((await readRun(old)).status).toBe(404);
  expect(await history(exportId)).toEqual([kept]);

  const resumed = await retention().run(silentLogger);
  expect(resumed).toMatchObject({ runs: 1, segmentRows: 0, rejectionReports: 0 });
  const entities: string[] = [];
  for await (const row of stack.services.storage.table(RUN_HISTORY_TABLE).listEntities({
    queryOptions: { filter: `PartitionKey eq '${exportId}'` },
  })) {
    entities.push(String(row.runId ?? row.rowKey));
  }
  expect(entities).not.toContain(old);
  expect(await leaseRows()).not.toContain(old);
  expect(await retention().run(silentLogger)).toMatchObject({ runs: 0, leaseRows: 0, rejectionReports: 0 });
});
