import type { AppConfig } from '../config/config';
import type { Clock } from '../clock';
import type { ConnectionService } from '../connections/connectionService';
import type { Destinations } from '../destinations/registry';
import type { ExportService } from '../exports/exportService';
import type { ExportQueue } from '../queue/exportQueue';
import type { RunService } from '../runs/runService';
import type { SegmentSource } from '../segments/segmentSource';
import type { Services } from '../services';
import type { SuppressionService } from '../suppressions/suppressionService';
import { AUDIENCES_TABLE, createAudienceRegistry, type AudienceRegistry } from './audienceRegistry';
import type { RejectionReport } from './rejectionReport';
import { createSegmentLeases, SEGMENT_WORK_TABLE, type SegmentLeases } from './segmentLease';
import { createSnapshotStore, type SnapshotStore } from './snapshotStore';

export type WorkerSettings = Pick<
  AppConfig,
  'MASS_REMOVAL_MAX_SHARE' | 'MASS_REMOVAL_MIN_COUNT' | 'SEGMENT_DEBOUNCE_SECONDS'
>;

/** Everything the worker reads and writes, each as narrow as it uses it; tests pass fakes. */
export interface WorkerPorts {
  settings: WorkerSettings;
  clock: Clock;
  runs: Pick<RunService, 'get' | 'updateSegment'>;
  exports: Pick<ExportService, 'get'>;
  connections: Pick<ConnectionService, 'get' | 'tokenProvider'>;
  destinations: Pick<Destinations, 'get'>;
  segments: Pick<SegmentSource, 'readField'>;
  queue: ExportQueue;
  /** The last successful send per (export, segment). */
  snapshots: Pick<SnapshotStore, 'read' | 'stage' | 'commit'>;
  rejections: { save(runId: string, segment: string, report: RejectionReport): Promise<void> };
  audiences: AudienceRegistry;
  leases: SegmentLeases;
  /** The connection's suppression list, loaded once per segment. */
  suppressions: Pick<SuppressionService, 'load'>;
}

/** The app's ports (the worker is created on the first queue message, which needs them all). */
export function workerPorts(services: Services): WorkerPorts {
  const state = () => services.storage.stateContainer();
  const snapshots = createSnapshotStore(state);
  return {
    settings: services.config,
    clock: services.clock,
    runs: services.runs,
    exports: services.exports,
    connections: services.connections,
    destinations: services.destinations,
    segments: services.segments,
    queue: services.exportQueue,
    snapshots,
    rejections: {
      async save(runId, segment, report) {
        await snapshots.ensureContainer();
        await report.save(state(), runId, segment, services.clock.now());
      },
    },
    audiences: createAudienceRegistry(() => services.storage.table(AUDIENCES_TABLE)),
    suppressions: services.suppressions,
    leases: createSegmentLeases(
      () => services.storage.table(SEGMENT_WORK_TABLE),
      services.config.RUN_STALE_AFTER_SECONDS * 1000,
    ),
  };
}
