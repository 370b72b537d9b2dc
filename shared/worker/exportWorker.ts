import type { Logger, LogFields } from '../logging/logger';
import { isFinalSegmentStatus } from '../model/run';
import { parseEnvelope } from '../queue/envelope';
import { retriesExhausted } from '../runs/segmentExplanation';
import { createSegmentExport } from './segmentExport';
import { createSegmentRecorder, type SegmentJob } from './segmentJob';
import type { Requeue } from './segmentLease';
import { createSettlement } from './segmentSettlement';
import type { WorkerPorts } from './workerPorts';

export interface ExportWorker {
  /** Handles one queue message (already decoded by the host); `dequeueCount` from trigger metadata. */
  handle(message: unknown, meta: { dequeueCount: number; messageId: string }, logger: Logger): Promise<void>;
  /** Handles a message that exhausted its retries (from the poison queue). */
  handlePoison(message: unknown, logger: Logger): Promise<void>;
}

export interface ExportWorkerOptions {
  /** Least time between progress writes to the run. */
  progressIntervalMs?: number;
  /** Re-enqueues after retryable destination errors before the segment fails. */
  maxRequeues?: number;
  /** Between heartbeats on the segment's lease; well under RUN_STALE_AFTER_SECONDS. */
  heartbeatMs?: number;
  /** Reads that find the segment changing under them before it fails with SEGMENT_CHANGED_DURING_READ. */
  maxReadChanges?: number;
}

const BUSY_RECHECK_MAX_SECONDS = 60;

/**
 * The queue side of an export: one message is one (run, segment). A message is admitted when its
 * segment still has work to do and no other message holds it; the attempt itself is
 * `segmentExport`, and `segmentSettlement` ends or parks a segment whose attempt failed.
 */
export function createExportWorker(ports: WorkerPorts, options: ExportWorkerOptions = {}): ExportWorker {
  const recorder = createSegmentRecorder(ports);
  const exportSegment = createSegmentExport(ports, recorder, {
    progressIntervalMs: options.progressIntervalMs ?? 2_000,
  });
  const settle = createSettlement(ports, recorder, {
    maxRequeues: options.maxRequeues ?? 8,
    maxReadChanges: options.maxReadChanges ?? 10,
  });
  const now = () => ports.clock.now();
  const heartbeatMs = options.heartbeatMs ?? 20_000;

  async function handle(raw: unknown, delivery: { dequeueCount: number; messageId: string }, logger: Logger) {
    const parsed = parseEnvelope(raw);
    if (!parsed.ok) {
      logger.error('export message is malformed; dropped', {
        messageId: delivery.messageId,
        reason: parsed.reason,
      });
      return;
    }
    const message = parsed.message;
    const ids: LogFields = { runId: message.runId, exportId: message.exportId, segment: message.segment };
    const run = await ports.runs.get(message.runId);
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
      await recorder.finish(message, { status: 'canceled', reason: 'canceled' });
      return;
    }

    const claim = await ports.leases.claim(message.runId, message.segment, delivery.messageId, now());
    if (!claim.ok) {
      const delaySeconds = Math.min(BUSY_RECHECK_MAX_SECONDS, Math.ceil(claim.busyForMs / 1000));
      logger.info('segment is being worked on by another message; re-enqueued', { ...ids, delaySeconds });
      await ports.queue.send(message, { delaySeconds });
      return;
    }

    const job: SegmentJob = {
      message,
      delivery,
      run,
      requeues: claim.requeues,
      readChanges: claim.readChanges,
      logger,
      ids,
      startedMs: Date.now(),
      counts: { ...state.counts },
    };
    let requeued: Requeue = null;
    // The lease's heartbeat for as long as this worker holds the segment (read and send alike).
    const heartbeat = setInterval(() => {
      ports.leases.heartbeat(message.runId, message.segment, delivery.messageId, now()).catch(() => {
        logger.warn('could not renew segment lease', ids);
      });
    }, heartbeatMs);
    heartbeat.unref();
    try {
      await exportSegment(job);
    } catch (error) {
      requeued = await settle(job, error);
    } finally {
      clearInterval(heartbeat);
      await ports.leases
        .release(message.runId, message.segment, delivery.messageId, requeued)
        .catch(() => logger.warn('could not release segment lease', ids));
    }
  }

  async function handlePoison(raw: unknown, logger: Logger): Promise<void> {
    const parsed = parseEnvelope(raw);
    if (!parsed.ok) {
      logger.error('poison export message is malformed; dropped', { reason: parsed.reason });
      return;
    }
    const message = parsed.message;
    const ids = { runId: message.runId, exportId: message.exportId, segment: message.segment };
    const run = await ports.runs.get(message.runId);
    if (!run?.segments.some((s) => s.segment === message.segment)) {
      logger.warn('poison message names no known run segment; dropped', ids);
      return;
    }
    await recorder.update(message, (current) => {
      const error = current.error ?? retriesExhausted();
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
