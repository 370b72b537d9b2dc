import { createHash } from 'node:crypto';
import type { Services } from '../services';
import { redact, type Logger, type LogFields } from '../logging/logger';
import { parseEnvelope, type ExportSegmentMessage } from '../queue/envelope';
import {
  emptyCounts,
  isFinalSegmentStatus,
  type Run,
  type SegmentCounts,
  type SegmentRunState,
  segmentTimings,
} from '../model/run';
import type { ExportConfig } from '../model/export';
import { DestinationError } from '../destinations/destinationError';
import { SegmentSourceError } from '../segments/segmentSource';
import { MemberCollector } from './memberCollector';
import { RejectionReport, rejectionsUrl } from './rejectionReport';
import { diffSorted } from './memberDiff';
import { createSnapshotStore } from './snapshotStore';
import { AUDIENCES_TABLE, createAudienceRegistry } from './audienceRegistry';
import { createAudienceSender } from './audienceSender';
import { createSegmentLeases, SEGMENT_WORK_TABLE } from './segmentLease';

export interface ExportWorker {
  /** Handles one queue message (already decoded by the host); `dequeueCount` from trigger metadata. */
  handle(message: unknown, meta: { dequeueCount: number; messageId: string }, logger: Logger): Promise<void>;
  /** Handles a message that exhausted its retries (from the poison queue). */
  handlePoison(message: unknown, logger: Logger): Promise<void>;
}

/** Points after which tests may inject a crash (`onStep` throwing). */
export type WorkerStep = 'read' | 'audienceCreated' | 'audienceRecorded' | 'membersSent' | 'snapshotWritten';

export interface ExportWorkerOptions {
  /** Tests only: called after each step; throwing simulates a worker dying there. */
  onStep?: (step: WorkerStep, ids: { runId: string; segment: string }) => void | Promise<void>;
  /** Least time between progress writes to the run. */
  progressIntervalMs?: number;
  /** Re-enqueues after retryable RollWorks errors before the segment fails. */
  maxRequeues?: number;
}

/** A segment outcome that ends it as `failed` with a code users can act on. */
export class SegmentFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SegmentFailure';
  }
}

class Canceled extends Error {}

const DAY_MS = 86_400_000;
const QUOTA_RESUME_SLACK_SECONDS = 60;
const BUSY_RECHECK_MAX_SECONDS = 60;
const HEARTBEAT_INTERVAL_MS = 30_000;
const CONNECTION_NOT_READY_TEXT: Record<string, string> = {
  pendingAuthorization: 'has not been authorized in RollWorks yet',
  authorized: 'has no export user yet',
  reauthorizationRequired: 'must be authorized again (RollWorks rejected its sign-in)',
};

/** `<export> · <segment> [<id>]`: the short id is stable per (export, segment) so the name finds it again. */
export function audienceName(
  exportConfig: Pick<ExportConfig, 'id' | 'displayName'>,
  segment: string,
): string {
  const shortId = createHash('sha256').update(`${exportConfig.id}\n${segment}`).digest('hex').slice(0, 8);
  return `${exportConfig.displayName} · ${segment} [${shortId}]`;
}

export function createExportWorker(services: Services, options: ExportWorkerOptions = {}): ExportWorker {
  const progressIntervalMs = options.progressIntervalMs ?? 2_000;
  const maxRequeues = options.maxRequeues ?? 8;
  const config = services.config;
  const now = () => services.clock.now();
  const snapshots = createSnapshotStore(() => services.storage.stateContainer());
  const sendAudience = createAudienceSender(
    createAudienceRegistry(() => services.storage.table(AUDIENCES_TABLE)),
    now,
  );
  const leases = createSegmentLeases(
    () => services.storage.table(SEGMENT_WORK_TABLE),
    config.RUN_STALE_AFTER_SECONDS * 1000,
  );

  /** Applies a change to a segment that is not final yet; a final segment is never changed. */
  function updateSegment(
    message: ExportSegmentMessage,
    change: (current: SegmentRunState) => Partial<SegmentRunState>,
  ): Promise<Run> {
    return services.runs.updateSegment(message.runId, message.segment, (current) =>
      isFinalSegmentStatus(current.status) ? current : { ...current, ...change(current) },
    );
  }

  const finish = (message: ExportSegmentMessage, change: Partial<SegmentRunState>) =>
    updateSegment(message, () => ({ ...change, progress: undefined, finishedAt: now().toISOString() }));

  async function handle(raw: unknown, meta: { dequeueCount: number; messageId: string }, logger: Logger) {
    const parsed = parseEnvelope(raw);
    if (!parsed.ok) {
      logger.error('export message is malformed; dropped', {
        messageId: meta.messageId,
        reason: parsed.reason,
      });
      return;
    }
    const message = parsed.message;
    const ids: LogFields = { runId: message.runId, exportId: message.exportId, segment: message.segment };
    const run = await services.runs.get(message.runId);
    const state = run?.segments.find((s) => s.segment === message.segment);
    if (!run || !state || run.exportId !== message.exportId) {
      logger.warn('export message names no known run segment; dropped', ids);
      return;
    }
    if (isFinalSegmentStatus(state.status)) {
      logger.info('segment already final; nothing to do', { ...ids, status: state.status });
      return;
    }
    if (run.status === 'canceled') {
      await finish(message, { status: 'canceled', reason: 'canceled' });
      return;
    }

    const claim = await leases.claim(message.runId, message.segment, meta.messageId, now());
    if (!claim.ok) {
      const delaySeconds = Math.min(BUSY_RECHECK_MAX_SECONDS, Math.ceil(claim.busyForMs / 1000));
      logger.info('segment is being worked on by another message; re-enqueued', { ...ids, delaySeconds });
      await services.exportQueue.send(message, { delaySeconds });
      return;
    }

    const progress: { counts: SegmentCounts } = { counts: { ...state.counts } };
    let countRequeue = false;
    try {
      await processSegment(message, run, meta, claim.requeues, progress, logger, ids);
    } catch (error) {
      countRequeue = await settleError(message, error, claim.requeues, progress.counts, logger, ids);
    } finally {
      await leases
        .release(message.runId, message.segment, meta.messageId, countRequeue)
        .catch(() => logger.warn('could not release segment lease', ids));
    }
  }

  /** Ends or parks the segment for a known kind of error; rethrows the unknown ones. Returns true when re-enqueued. */
  async function settleError(
    message: ExportSegmentMessage,
    error: unknown,
    requeues: number,
    counts: SegmentCounts,
    logger: Logger,
    ids: LogFields,
  ): Promise<boolean> {
    if (error instanceof Canceled) {
      logger.info('segment canceled', ids);
      await finish(message, { status: 'canceled', reason: 'canceled', counts });
      return false;
    }
    if (error instanceof DestinationError && error.kind === 'quota') {
      const resetsAt = error.resetsAt ?? new Date(now().getTime() + (error.retryAfterMs ?? DAY_MS));
      const delaySeconds =
        Math.ceil(Math.max(0, resetsAt.getTime() - now().getTime()) / 1000) + QUOTA_RESUME_SLACK_SECONDS;
      await updateSegment(message, () => ({
        status: 'waitingForQuota',
        reason: 'DAILY_BUDGET_EXHAUSTED',
        resumesAt: resetsAt.toISOString(),
        counts,
        progress: undefined,
        error: {
          code: 'DAILY_BUDGET_EXHAUSTED',
          message: `The daily RollWorks request budget (${config.ROLLWORKS_DAILY_REQUEST_BUDGET} requests per UTC day) is used up; the segment resumes after ${resetsAt.toISOString()}.`,
        },
      }));
      await services.exportQueue.send(message, { delaySeconds });
      logger.warn('daily request budget exhausted; segment waits for the next UTC day', {
        ...ids,
        delaySeconds,
      });
      return false;
    }
    if (error instanceof DestinationError && error.retryable) {
      if (requeues >= maxRequeues) {
        await fail(
          message,
          error.code,
          `${error.message}; gave up after ${requeues + 1} attempts.`,
          counts,
          logger,
          ids,
        );
        return false;
      }
      const delaySeconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 30_000) / 1000));
      await updateSegment(message, () => ({
        counts,
        error: { code: error.code, message: `${error.message}; retrying in ${delaySeconds} s.` },
      }));
      await services.exportQueue.send(message, { delaySeconds });
      logger.warn('retryable RollWorks error; segment re-enqueued', {
        ...ids,
        code: error.code,
        delaySeconds,
      });
      return true;
    }
    if (
      error instanceof SegmentFailure ||
      error instanceof DestinationError ||
      error instanceof SegmentSourceError
    ) {
      await fail(message, error.code, error.message, counts, logger, ids);
      return false;
    }
    const description = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    logger.error('segment attempt failed; the queue will retry it', { ...ids, error: description });
    await updateSegment(message, () => ({
      counts,
      error: { code: 'WORKER_ERROR', message: redact(description).slice(0, 500) },
    })).catch(() => undefined);
    throw error;
  }

  async function fail(
    message: ExportSegmentMessage,
    code: string,
    text: string,
    counts: SegmentCounts,
    logger: Logger,
    ids: LogFields,
  ) {
    logger.warn('segment failed', { ...ids, code });
    await finish(message, { status: 'failed', reason: code, counts, error: { code, message: redact(text) } });
  }

  async function assertNotCanceled(runId: string): Promise<void> {
    const run = await services.runs.get(runId);
    if (!run || run.status === 'canceled') throw new Canceled();
  }

  async function processSegment(
    message: ExportSegmentMessage,
    run: Run,
    meta: { dequeueCount: number; messageId: string },
    requeues: number,
    progress: { counts: SegmentCounts },
    logger: Logger,
    ids: LogFields,
  ): Promise<void> {
    const { runId, exportId, segment } = message;
    const started = Date.now();
    const exportConfig = await services.exports.get(exportId);
    if (!exportConfig) throw new SegmentFailure('EXPORT_NOT_FOUND', `Export ${exportId} no longer exists.`);
    const connection = exportConfig.connectionId
      ? await services.connections.get(exportConfig.connectionId)
      : null;
    if (!connection) {
      throw new SegmentFailure(
        'CONNECTION_NOT_FOUND',
        'The export has no RollWorks connection (it was deleted).',
      );
    }

    const startedAt = now().toISOString();
    await updateSegment(message, (current) => ({
      status: 'running',
      reason: null,
      startedAt: current.startedAt ?? startedAt,
      progress: { rowsRead: 0, updatedAt: startedAt },
    }));

    // The last sent list downloads while the segment is read (it is needed right after).
    const previousSnapshot = snapshots.read(exportId, segment);
    previousSnapshot.catch(() => undefined);

    // ---- read, normalize, validate, hash, limit ----
    const limit = Math.min(config.SEGMENT_MAX_PROFILES, connection.profileLimit ?? Infinity);
    const rejections = new RejectionReport();
    const destination = services.destinations.get(connection.type);
    const collector = new MemberCollector(
      { hash: destination.members.hash, hashEmails: exportConfig.hashEmails, limit },
      rejections,
    );
    const abort = new AbortController();
    let nextProgressAt = Date.now() + progressIntervalMs;
    let nextHeartbeatAt = Date.now() + HEARTBEAT_INTERVAL_MS;
    try {
      for await (const batch of services.segments.readField(segment, exportConfig.emailField, {
        signal: abort.signal,
      })) {
        collector.addBatch(batch);
        if (collector.overLimit) break;
        if (Date.now() >= nextProgressAt) {
          nextProgressAt = Date.now() + progressIntervalMs;
          const updated = await updateSegment(message, () => ({
            progress: { rowsRead: collector.read, updatedAt: now().toISOString() },
          }));
          if (updated.status === 'canceled') throw new Canceled();
          if (Date.now() >= nextHeartbeatAt) {
            nextHeartbeatAt = Date.now() + HEARTBEAT_INTERVAL_MS;
            await leases.heartbeat(runId, segment, meta.messageId, now());
          }
        }
      }
    } finally {
      abort.abort();
    }
    const readMs = Date.now() - started;
    const collected = collector.counts();
    progress.counts = { ...emptyCounts(), ...collected };
    await options.onStep?.('read', { runId, segment });

    const rejectionLink = rejections.size > 0 ? rejectionsUrl(runId, segment) : null;
    if (rejections.size > 0) {
      await snapshots.ensureContainer();
      await rejections.save(services.storage.stateContainer(), runId, segment);
    }
    await updateSegment(message, () => ({
      rejectionsUrl: rejectionLink,
      counts: progress.counts,
      timings: segmentTimings({ readMs, totalMs: Date.now() - started }),
    }));

    if (collector.overLimit) {
      const contract =
        connection.profileLimit !== null && connection.profileLimit < config.SEGMENT_MAX_PROFILES;
      throw new SegmentFailure(
        'SEGMENT_TOO_LARGE',
        `The segment has more than ${limit} unique valid emails (stopped reading at row ${collected.read}); the limit is ${limit}${contract ? ' (the connection’s contract limit)' : ''}. Nothing was sent.`,
      );
    }
    if (collected.valid < config.SEGMENT_MIN_PROFILES) {
      throw new SegmentFailure(
        'SEGMENT_TOO_SMALL',
        `The segment has ${collected.valid} unique valid emails, fewer than the ${config.SEGMENT_MIN_PROFILES} RollWorks requires. Nothing was sent.`,
      );
    }
    await assertNotCanceled(runId);

    // ---- diff against the last successful send ----
    const diffStarted = Date.now();
    const members = collector.sortedMembers();
    collector.members.clear();
    const previous = await previousSnapshot;
    const diff = previous ? diffSorted(previous.members, members) : { added: members.length, removed: 0 };
    const diffMs = Date.now() - diffStarted;
    const unchanged = previous !== undefined && diff.added === 0 && diff.removed === 0;
    const counts: SegmentCounts = { ...progress.counts, sent: 0, added: diff.added, removed: diff.removed };
    progress.counts = counts;

    if (unchanged && previous.runId === runId && !run.dryRun) {
      // This run already sent these members; only its run record was not written (crash, redelivery).
      await finish(message, {
        status: 'succeeded',
        reason: null,
        counts: { ...counts, ...previous.result },
        audience: { id: previous.audienceId, name: audienceName(exportConfig, segment) },
        error: null,
        timings: segmentTimings({ readMs, diffMs, totalMs: Date.now() - started }),
      });
      return;
    }

    if (previous && !run.force && diff.removed >= config.MASS_REMOVAL_MIN_COUNT) {
      const share = diff.removed / Math.max(1, previous.members.length);
      if (share > config.MASS_REMOVAL_MAX_SHARE) {
        throw new SegmentFailure(
          'MASS_REMOVAL_BLOCKED',
          `This run would remove ${diff.removed} of the audience's ${previous.members.length} members (${(share * 100).toFixed(1)}%), more than the ${(config.MASS_REMOVAL_MAX_SHARE * 100).toFixed(0)}% allowed${run.dryRun ? ' (dry run)' : ''}. Check the segment, then run with force to apply it. Nothing was sent.`,
        );
      }
    }

    const name = audienceName(exportConfig, segment);
    if (run.dryRun) {
      await finish(message, {
        status: 'succeeded',
        reason: 'dryRun',
        counts,
        error: null,
        timings: segmentTimings({ readMs, diffMs, totalMs: Date.now() - started }),
      });
      logger.info('dry run finished', { ...ids, ...counts, readMs });
      return;
    }
    const resendDue =
      previous !== undefined &&
      now().getTime() - previous.sentAt.getTime() >= config.RESEND_AFTER_DAYS * DAY_MS;
    if (unchanged && !resendDue) {
      await finish(message, {
        status: 'succeeded',
        reason: 'unchanged',
        counts,
        audience: previous.audienceId ? { id: previous.audienceId, name } : null,
        error: null,
        timings: segmentTimings({ readMs, diffMs, totalMs: Date.now() - started }),
      });
      logger.info('segment unchanged; nothing sent', { ...ids, valid: counts.valid, readMs });
      return;
    }

    // ---- send ----
    await assertNotCanceled(runId);
    if (connection.status !== 'ready') {
      throw new SegmentFailure(
        'CONNECTION_NOT_READY',
        `The RollWorks connection ${CONNECTION_NOT_READY_TEXT[connection.status]}, so nothing was sent. An administrator must finish or renew the connection, then run the export again.`,
      );
    }
    const sendStarted = Date.now();
    const api = destination.forConnection(services.connections.tokenProvider(connection.id));
    // The new list uploads (uncommitted) while RollWorks processes the members request, so it adds
    // no wall time; it is committed only after RollWorks accepted them.
    let staged: Promise<string> | undefined;
    const stage = (): Promise<string> => {
      if (!staged) {
        staged = snapshots.stage(exportId, segment, members);
        staged.catch(() => undefined);
      }
      return staged;
    };
    const audience = await sendAudience(api, exportConfig, segment, name, members, {
      lookUpFirst: meta.dequeueCount > 1 || requeues > 0,
      logger,
      ids,
      onStep: (step) => options.onStep?.(step, { runId, segment }),
      onRequestSent: () => void stage(),
    });
    await options.onStep?.('membersSent', { runId, segment });
    const sendMs = Date.now() - sendStarted;

    const snapshotStarted = Date.now();
    await snapshots.commit(exportId, segment, await stage(), {
      sentAt: now(),
      audienceId: audience.audienceId,
      runId,
      result: { sent: members.length, added: diff.added, removed: diff.removed },
    });
    const snapshotMs = Date.now() - snapshotStarted;
    await options.onStep?.('snapshotWritten', { runId, segment });

    await finish(message, {
      status: 'succeeded',
      reason: unchanged ? 'resent' : null,
      counts: { ...counts, sent: members.length },
      audience: { id: audience.audienceId, name },
      error: null,
      timings: segmentTimings({ readMs, diffMs, sendMs, snapshotMs, totalMs: Date.now() - started }),
    });
    logger.info('segment sent', {
      ...ids,
      ...counts,
      sent: members.length,
      readMs,
      diffMs,
      sendMs,
      snapshotMs,
      totalMs: Date.now() - started,
    });
  }

  async function handlePoison(raw: unknown, logger: Logger): Promise<void> {
    const parsed = parseEnvelope(raw);
    if (!parsed.ok) {
      logger.error('poison export message is malformed; dropped', { reason: parsed.reason });
      return;
    }
    const message = parsed.message;
    const ids = { runId: message.runId, exportId: message.exportId, segment: message.segment };
    const run = await services.runs.get(message.runId);
    if (!run?.segments.some((s) => s.segment === message.segment)) {
      logger.warn('poison message names no known run segment; dropped', ids);
      return;
    }
    await updateSegment(message, (current) => {
      const error = current.error ?? {
        code: 'RETRIES_EXHAUSTED',
        message: 'The segment failed on every delivery of its queue message.',
      };
      return {
        status: 'failed',
        reason: error.code,
        error,
        progress: undefined,
        finishedAt: now().toISOString(),
      };
    });
    logger.error('segment failed after exhausting its retries', ids);
  }

  return { handle, handlePoison };
}
