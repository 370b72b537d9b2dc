import type { ExportConfig } from '../model/export';
import type { Run } from '../model/run';
import type { Services } from '../services';
import { ConflictError } from '../errors/domainErrors';
import { digestId } from '../exports/ids';
import { DEFAULT_MIN_INTERVAL_MINUTES } from '../exports/schemas';
import { SegmentSourceError, type SegmentVersion } from '../segments/segmentSource';
import { createSegmentVersionStore, type PendingRun, type WatchState } from './segmentVersionStore';

/** A segment's version, listed at most once per tick however many exports use it. */
export type VersionOf = (segment: string) => Promise<SegmentVersion>;

export type WatchOutcome =
  | { kind: 'started'; runId: string; segments: string[]; status: Run['status'] }
  /** The run for this change exists already (a concurrent or repeated tick started it). */
  | { kind: 'alreadyStarted'; runId: string; segments: string[] }
  | { kind: 'deferred'; segments: string[]; reason: 'notQuiet' | 'minInterval' | 'busy' }
  | { kind: 'unchanged'; baseline: string[] };

/** The id of the run for one change of versions: a duplicate or concurrent tick finds the same run. */
const changeRunId = (exportId: string, from: Record<string, string>, to: Record<string, string>) =>
  digestId(
    'run',
    [
      'segmentUpdated',
      exportId,
      ...Object.keys(to)
        .sort()
        .map((s) => `${s}\n${from[s] ?? ''}\n${to[s]}`),
    ].join('\n'),
  );

/**
 * The `segmentUpdated` schedule, on the scheduler's tick: an export runs when any of its segments has
 * a new complete version (no blob in the folder written for SEGMENT_DEBOUNCE_SECONDS), at most once per
 * `minIntervalMinutes`. The versions a run was started for are recorded per export; a change is first
 * recorded as pending (compare-and-swap), then its run is created under an id derived from the
 * versions, then the versions count as started, so a crash in between re-creates the same run.
 *
 * A segment seen for the first time (new export, new segment, mode just chosen) is taken as the
 * baseline, without a run, when a successful run read it after its last write; otherwise it runs.
 */
export function createSegmentWatch(services: Services) {
  const store = createSegmentVersionStore(services.storage);

  /** Creates the pending run (idempotent) and records its versions as started. */
  async function start(exportConfig: ExportConfig, pending: PendingRun, now: Date): Promise<WatchOutcome> {
    const exportId = exportConfig.id;
    let run: Run | null;
    try {
      run = await services.runs.startOnSegmentUpdate(exportId, pending);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Two runs are in progress or queued already: the change waits for the next tick.
      await settle(exportId, pending, null);
      return { kind: 'deferred', segments: pending.segments, reason: 'busy' };
    }
    await settle(exportId, pending, now);
    return run
      ? { kind: 'started', runId: run.id, segments: pending.segments, status: run.status }
      : { kind: 'alreadyStarted', runId: pending.runId, segments: pending.segments };
  }

  /** Ends a pending change: its versions count as started at `startedAt`, or (null) it is dropped. */
  async function settle(exportId: string, pending: PendingRun, startedAt: Date | null): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, etag } = await store.read(exportId);
      if (state.pending?.runId !== pending.runId) return;
      const next: WatchState = startedAt
        ? {
            versions: { ...state.versions, ...pending.versions },
            startedAt: startedAt.toISOString(),
            pending: null,
          }
        : { ...state, pending: null };
      if (await store.write(exportId, next, etag)) return;
    }
  }

  /** Segments first seen that a successful run read after their last write. */
  async function exportedAlready(exportId: string, firstSeen: [string, SegmentVersion][]): Promise<string[]> {
    if (firstSeen.length === 0) return [];
    const history = await services.runs.list(exportId, 30);
    return firstSeen
      .filter(([segment, version]) => {
        const read = history
          .filter((run) => !run.dryRun)
          .flatMap((run) => run.segments)
          .find((state) => state.segment === segment && state.status === 'succeeded');
        return (
          read?.startedAt && version.lastWrite && Date.parse(read.startedAt) > version.lastWrite.getTime()
        );
      })
      .map(([segment]) => segment);
  }

  return {
    async check(exportConfig: ExportConfig, now: Date, versionOf: VersionOf): Promise<WatchOutcome> {
      const exportId = exportConfig.id;
      const { state, etag } = await store.read(exportId);
      if (state.pending) return start(exportConfig, state.pending, now);

      const debounceMs = services.config.SEGMENT_DEBOUNCE_SECONDS * 1000;
      const complete: [string, SegmentVersion][] = [];
      const notQuiet: string[] = [];
      for (const segment of exportConfig.segments) {
        let version: SegmentVersion;
        try {
          version = await versionOf(segment);
        } catch (error) {
          if (error instanceof SegmentSourceError) continue; // missing or unreadable: nothing to export yet
          throw error;
        }
        if (version.lastWrite && now.getTime() - version.lastWrite.getTime() < debounceMs) {
          notQuiet.push(segment);
        } else if (state.versions[segment] !== version.key) complete.push([segment, version]);
      }
      const baseline = await exportedAlready(
        exportId,
        complete.filter(([segment]) => state.versions[segment] === undefined),
      );
      const changed = complete.filter(([segment]) => !baseline.includes(segment));
      if (changed.length === 0) {
        if (baseline.length > 0) {
          const versions = Object.fromEntries(complete.map(([segment, version]) => [segment, version.key]));
          await store.write(exportId, { ...state, versions: { ...state.versions, ...versions } }, etag);
        }
        return notQuiet.length > 0
          ? { kind: 'deferred', segments: notQuiet, reason: 'notQuiet' }
          : { kind: 'unchanged', baseline };
      }

      const segments = changed.map(([segment]) => segment);
      const minutes = exportConfig.schedule.minIntervalMinutes ?? DEFAULT_MIN_INTERVAL_MINUTES;
      if (state.startedAt && now.getTime() - Date.parse(state.startedAt) < minutes * 60_000) {
        return { kind: 'deferred', segments, reason: 'minInterval' };
      }
      const versions = Object.fromEntries(complete.map(([segment, version]) => [segment, version.key]));
      const pending: PendingRun = {
        runId: changeRunId(exportId, state.versions, versions),
        segments,
        versions,
      };
      if (!(await store.write(exportId, { ...state, pending }, etag))) {
        // Another tick recorded this change (or a newer one) first; it starts the run.
        return { kind: 'alreadyStarted', runId: pending.runId, segments };
      }
      return start(exportConfig, pending, now);
    },
  };
}

export type SegmentWatch = ReturnType<typeof createSegmentWatch>;
