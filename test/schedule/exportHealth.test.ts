import { silentLogger } from '../../shared/logging/logger';
import { newSegmentState, type Run } from '../../shared/model/run';
import type { ExportConfig } from '../../shared/model/export';
import { createExportHealth } from '../../shared/schedule/exportHealth';
import { createServices, type Services } from '../../shared/services';
import type { AppEvent } from '../../shared/events/eventTypes';
import { exportConfig } from '../worker/fakes/fakeExports';
import { testConfig } from '../worker/fakes/testConfig';
import { inMemoryTelemetry } from '../telemetry/support';

const DAY = 24 * 3600_000;

function world(exported: ExportConfig, runs: Run[]) {
  const states = new Map<string, string>();
  const published: AppEvent[] = [];
  const telemetry = inMemoryTelemetry();
  const clock = {
    time: new Date('2026-12-01T12:00:00Z'),
    now() {
      return this.time;
    },
  };
  const services = createServices(testConfig({ RESEND_AFTER_DAYS: '90' }), {
    clock,
    telemetry: telemetry.telemetry,
    exports: { listAll: async () => [exported] } as unknown as Services['exports'],
    runs: { history: async () => runs } as unknown as Services['runs'],
    events: { publish: async (event: AppEvent) => void published.push(event), publishTo: async () => '' },
    eventStores: {
      states: {
        async change(key: string, state: string) {
          const previous = states.get(key);
          states.set(key, state);
          return { changed: previous !== state, previous };
        },
      },
    } as unknown as Services['eventStores'],
  });
  const overdueAlerts = () =>
    telemetry.events().filter((e) => e.attributes['microsoft.custom_event.name'] === 'ExportOverdue');
  return { health: createExportHealth(services), clock, published, overdueAlerts };
}

const run = (id: string, finishedAt: string, status: Run['status'], sent: number): Run =>
  ({
    id,
    exportId: 'exp-1',
    status,
    dryRun: false,
    createdAt: finishedAt,
    finishedAt,
    segments: [
      newSegmentState('vip', {
        status: status === 'succeeded' ? 'succeeded' : 'failed',
        counts: { read: sent, invalid: 0, duplicates: 0, valid: sent, sent, added: sent, removed: 0 },
      }),
    ],
  }) as unknown as Run;

it('alerts once when an enabled daily export has had no success for two of its periods', async () => {
  const exported = exportConfig({
    id: 'exp-1',
    segments: ['vip'],
    schedule: { enabled: true, cron: '0 0 6 * * *', timeZone: 'UTC' },
  });
  const w = world(exported, [
    run('r-ok', '2026-11-29T06:05:00Z', 'succeeded', 500),
    run('r-bad', '2026-11-30T06:05:00Z', 'failed', 0),
  ]);
  expect(await w.health.check(silentLogger)).toMatchObject({ overdue: 0 }); // due 30th and 1st: two, not yet overdue
  w.clock.time = new Date('2026-12-02T07:00:00Z'); // a third due time passed without success
  expect(await w.health.check(silentLogger)).toMatchObject({ overdue: 1 });
  expect(await w.health.check(silentLogger)).toMatchObject({ overdue: 0 }); // told once, not every tick
  expect(w.overdueAlerts()).toEqual([
    expect.objectContaining({
      attributes: expect.objectContaining({ exportId: 'exp-1', lastSucceededAt: '2026-11-29T06:05:00Z' }),
    }),
  ]);
});

it('says audiences expire soon when none was written for RESEND_AFTER_DAYS and no run is planned before expiry', async () => {
  const written = new Date(Date.parse('2026-12-01T12:00:00Z') - 95 * DAY).toISOString();
  const off = exportConfig({
    id: 'exp-1',
    segments: ['vip'],
    displayName: 'Paid social',
    schedule: { enabled: false },
  });
  const w = world(off, [run('r-1', written, 'succeeded', 500)]);
  expect(await w.health.check(silentLogger)).toMatchObject({ expiring: 1 });
  expect(await w.health.check(silentLogger)).toMatchObject({ expiring: 0 });
  expect(w.published).toEqual([
    expect.objectContaining({
      type: 'audience.expiringSoon',
      subject: 'exp-1',
      data: expect.objectContaining({
        exportId: 'exp-1',
        message: expect.stringMatching(/expire in 25 days/),
      }),
    }),
  ]);

  // a daily schedule re-sends before expiry: nothing to say
  const daily = exportConfig({
    id: 'exp-1',
    segments: ['vip'],
    schedule: { enabled: true, cron: '0 0 6 * * *', timeZone: 'UTC' },
  });
  const planned = world(daily, [run('r-1', written, 'succeeded', 500)]);
  expect(await planned.health.check(silentLogger)).toMatchObject({ expiring: 0 });
  expect(planned.published).toEqual([]);
});

it('never calls a segmentUpdated export overdue (quiet data is no missed run), but warns before its audiences expire', async () => {
  const written = new Date(Date.parse('2026-12-01T12:00:00Z') - 95 * DAY).toISOString();
  const onChange = exportConfig({
    id: 'exp-1',
    segments: ['vip'],
    schedule: { enabled: true, trigger: 'segmentUpdated', minIntervalMinutes: 15 },
  });
  const w = world(onChange, [run('r-1', written, 'succeeded', 500)]);
  expect(await w.health.check(silentLogger)).toEqual({ overdue: 0, expiring: 1 });
  w.clock.time = new Date('2026-12-20T12:00:00Z');
  expect(await w.health.check(silentLogger)).toMatchObject({ overdue: 0 });
  expect(w.overdueAlerts()).toEqual([]);
  expect(w.published.map((event) => event.type)).toEqual(['audience.expiringSoon']);
});
