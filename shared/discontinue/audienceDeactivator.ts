import type { Clock } from '../clock';
import type { ConnectionService } from '../connections/connectionService';
import { DestinationError } from '../destinations/destinationError';
import type { Destinations } from '../destinations/registry';
import { redact, type Logger } from '../logging/logger';
import {
  deactivateAudienceMessageSchema,
  parseEnvelope,
  type DeactivateAudienceMessage,
} from '../queue/envelope';
import type { QueueSender } from '../queue/exportQueue';
import { gaveUp, quotaWait, retrying } from '../runs/segmentExplanation';
import type { DiscontinuedStore } from './discontinuedStore';
import type { DiscontinuedAudience } from './schemas';

const QUOTA_RESUME_SLACK_SECONDS = 60;
const FIRST_RETRY_SECONDS = 30;
const LONGEST_RETRY_SECONDS = 3600;
const BY_HAND = 'Deactivate the audience in RollWorks.';
const withNextStep = (message: string) => `${message.replace(/\.?\s*$/, '.')} ${BY_HAND}`;

export interface DeactivatorDeps {
  clock: Clock;
  store: DiscontinuedStore;
  connections: Pick<ConnectionService, 'get' | 'tokenProvider'>;
  destinations: Pick<Destinations, 'get'>;
  queue: QueueSender<DeactivateAudienceMessage>;
}

/**
 * Deactivates one audience per queue message, on the daily request budget: when it is used up the
 * message comes back when it resets; retryable failures come back with a growing delay, up to
 * `maxAttempts`; whatever happens is recorded on the audience's `discontinued` row.
 */
export function createAudienceDeactivator(deps: DeactivatorDeps, options: { maxAttempts?: number } = {}) {
  const maxAttempts = options.maxAttempts ?? 8;
  const now = () => deps.clock.now();

  async function record(row: DiscontinuedAudience, change: Partial<DiscontinuedAudience>) {
    await deps.store.save({ ...row, ...change, updatedAt: now().toISOString() });
  }

  /** The message's row when it still waits for this deactivation. */
  async function pendingRow(message: DeactivateAudienceMessage, logger: Logger) {
    const ids = { exportId: message.exportId, segment: message.segment };
    const row = await deps.store.get(message.exportId, message.segment);
    if (!row || row.status !== 'pending' || row.audience?.id !== message.audienceId) {
      logger.info('audience deactivation no longer pending; nothing to do', { ...ids, status: row?.status });
      return undefined;
    }
    return row;
  }

  async function handle(raw: unknown, logger: Logger): Promise<void> {
    const parsed = parseEnvelope(raw, deactivateAudienceMessageSchema);
    if (!parsed.ok) {
      logger.error('deactivation message is malformed; dropped', { reason: parsed.reason });
      return;
    }
    const message = parsed.message;
    const ids = { exportId: message.exportId, segment: message.segment, connectionId: message.connectionId };
    const row = await pendingRow(message, logger);
    if (!row) return;
    const connection = await deps.connections.get(message.connectionId);
    if (!connection) {
      await record(row, {
        status: 'failed',
        error: {
          code: 'CONNECTION_NOT_FOUND',
          message:
            'The connection was deleted before the audience could be deactivated; deactivate it in RollWorks.',
        },
      });
      logger.warn('audience deactivation failed: connection deleted', ids);
      return;
    }
    const destination = deps.destinations.get(connection.type);
    const account = destination.forConnection(deps.connections.tokenProvider(connection.id, logger));
    const attempts = row.attempts + 1;
    try {
      await account.deleteAudience!(message.audienceId);
    } catch (error) {
      if (!(error instanceof DestinationError)) throw error; // the queue retries it, then the poison handler
      if (error.code === 'NOT_FOUND') {
        await record(row, { status: 'deactivated', attempts, error: null, resumesAt: null });
        logger.info('audience was already gone at the destination', ids);
        return;
      }
      if (error.kind === 'quota') {
        const resetsAt = error.resetsAt ?? new Date(now().getTime() + 86_400_000);
        const delaySeconds =
          Math.ceil(Math.max(0, resetsAt.getTime() - now().getTime()) / 1000) + QUOTA_RESUME_SLACK_SECONDS;
        await record(row, { resumesAt: resetsAt.toISOString(), error: quotaWait(destination, resetsAt) });
        await deps.queue.send(message, { delaySeconds });
        logger.warn('daily request budget exhausted; deactivation waits for the next UTC day', {
          ...ids,
          delaySeconds,
        });
        return;
      }
      if (error.retryable && attempts < maxAttempts) {
        const backoff = Math.min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1));
        const delaySeconds = Math.max(backoff, Math.ceil((error.retryAfterMs ?? 0) / 1000));
        await record(row, { attempts, resumesAt: null, error: retrying(error, delaySeconds) });
        await deps.queue.send(message, { delaySeconds });
        logger.warn('audience deactivation failed; retried later', {
          ...ids,
          code: error.code,
          delaySeconds,
        });
        return;
      }
      const cause = error.retryable ? gaveUp(error, attempts) : error;
      await record(row, {
        status: 'failed',
        attempts,
        resumesAt: null,
        error: { code: cause.code, message: withNextStep(redact(cause.message)) },
      });
      logger.warn('audience deactivation failed', { ...ids, code: error.code });
      return;
    }
    await record(row, { status: 'deactivated', attempts, error: null, resumesAt: null });
    logger.info('audience deactivated', ids);
  }

  /** A message that failed on every delivery: its deactivation is recorded as failed. */
  async function handlePoison(raw: unknown, logger: Logger): Promise<void> {
    const parsed = parseEnvelope(raw, deactivateAudienceMessageSchema);
    if (!parsed.ok) {
      logger.error('poison deactivation message is malformed; dropped', { reason: parsed.reason });
      return;
    }
    const row = await pendingRow(parsed.message, logger);
    if (!row) return;
    await record(row, {
      status: 'failed',
      resumesAt: null,
      error: {
        code: 'RETRIES_EXHAUSTED',
        message: withNextStep('The deactivation failed on every delivery of its queue message'),
      },
    });
    logger.error('audience deactivation failed after exhausting its retries', {
      exportId: row.exportId,
      segment: row.segment,
    });
  }

  return { handle, handlePoison };
}

export type AudienceDeactivator = ReturnType<typeof createAudienceDeactivator>;
