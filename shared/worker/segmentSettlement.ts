import { DestinationError } from '../destinations/destinationError';
import { redact } from '../logging/logger';
import { changedDuringRead, changedTooOften, gaveUp, quotaWait, retrying } from '../runs/segmentExplanation';
import { SegmentSourceError } from '../segments/segmentSource';
import { Canceled, Removed, SegmentFailure, type SegmentJob, type SegmentRecorder } from './segmentJob';
import type { Requeue } from './segmentLease';
import type { WorkerPorts } from './workerPorts';

const DAY_MS = 86_400_000;
const QUOTA_RESUME_SLACK_SECONDS = 60;
const DEFAULT_RETRY_DELAY_MS = 30_000;

/**
 * Ends or parks a segment whose attempt failed, by what failed: cancel, a rule, the segment
 * source, or the destination (by its error's kind). Rethrows anything else, so the queue retries the
 * message. Resolves with what the segment was re-enqueued for (counted on its lease), else null.
 */
export function createSettlement(
  ports: WorkerPorts,
  recorder: SegmentRecorder,
  limits: { maxRequeues: number; maxReadChanges: number },
) {
  const now = () => ports.clock.now();

  async function waitForQuota(job: SegmentJob, error: DestinationError): Promise<Requeue> {
    const resetsAt = error.resetsAt ?? new Date(now().getTime() + (error.retryAfterMs ?? DAY_MS));
    const delaySeconds =
      Math.ceil(Math.max(0, resetsAt.getTime() - now().getTime()) / 1000) + QUOTA_RESUME_SLACK_SECONDS;
    await recorder.update(job.message, () => ({
      status: 'waitingForQuota',
      reason: 'DAILY_BUDGET_EXHAUSTED',
      resumesAt: resetsAt.toISOString(),
      counts: job.counts,
      progress: undefined,
      error: quotaWait(job.target?.destination, resetsAt),
    }));
    await ports.queue.send(job.message, { delaySeconds });
    job.logger.warn('daily request budget exhausted; segment waits for the next UTC day', {
      ...job.ids,
      delaySeconds,
    });
    return null;
  }

  async function retryLater(job: SegmentJob, error: DestinationError): Promise<Requeue> {
    if (job.requeues >= limits.maxRequeues) {
      await recorder.fail(job, gaveUp(error, job.requeues + 1));
      return null;
    }
    const delaySeconds = Math.max(1, Math.ceil((error.retryAfterMs ?? DEFAULT_RETRY_DELAY_MS) / 1000));
    await recorder.update(job.message, () => ({ counts: job.counts, error: retrying(error, delaySeconds) }));
    await ports.queue.send(job.message, { delaySeconds });
    job.logger.warn('retryable destination error; segment re-enqueued', {
      ...job.ids,
      code: error.code,
      delaySeconds,
    });
    return 'retry';
  }

  /**
   * The upstream platform is writing the folder: nothing read is kept or sent, and the segment is
   * queued to be read again once the folder has been quiet for the debounce.
   */
  async function readAgainLater(job: SegmentJob): Promise<Requeue> {
    const changes = job.readChanges + 1;
    if (changes >= limits.maxReadChanges) {
      await recorder.fail(job, changedTooOften(changes));
      return null;
    }
    const delaySeconds = ports.settings.SEGMENT_DEBOUNCE_SECONDS;
    await recorder.update(job.message, () => ({
      status: 'queued',
      reason: 'SEGMENT_CHANGED_DURING_READ',
      progress: undefined,
      error: changedDuringRead(delaySeconds),
    }));
    await ports.queue.send(job.message, { delaySeconds });
    job.logger.warn('segment changed while it was read; read again after the debounce', {
      ...job.ids,
      changes,
      delaySeconds,
    });
    return 'readChange';
  }

  return async function settle(job: SegmentJob, error: unknown): Promise<Requeue> {
    if (error instanceof Canceled) {
      job.logger.info('segment canceled', job.ids);
      await recorder.finish(job.message, { status: 'canceled', reason: 'canceled', counts: job.counts });
      return null;
    }
    if (error instanceof SegmentSourceError && error.code === 'SEGMENT_CHANGED_DURING_READ') {
      return readAgainLater(job);
    }
    if (error instanceof Removed) {
      job.logger.info('segment canceled: removed', { ...job.ids, code: error.outcome.code });
      await recorder.finish(job.message, {
        status: 'canceled',
        reason: error.outcome.code,
        counts: job.counts,
        error: error.outcome,
      });
      return null;
    }
    if (error instanceof DestinationError) {
      switch (error.kind) {
        case 'quota':
          return waitForQuota(job, error);
        case 'retryable':
        case 'outcomeUnknown':
          return retryLater(job, error);
        case 'auth':
        case 'permanent':
          await recorder.fail(job, error);
          return null;
      }
    }
    if (error instanceof SegmentFailure || error instanceof SegmentSourceError) {
      await recorder.fail(job, error);
      return null;
    }
    const description = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    job.logger.error('segment attempt failed; the queue will retry it', { ...job.ids, error: description });
    await recorder
      .update(job.message, () => ({
        counts: job.counts,
        error: { code: 'WORKER_ERROR', message: redact(description).slice(0, 500) },
      }))
      .catch(() => undefined);
    throw error;
  };
}
