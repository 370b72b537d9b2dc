import type { EventStates } from '../events/eventStates';
import type { EventPublisher } from '../events/eventPublisher';
import type { AppEvent, EventData } from '../events/eventTypes';
import type { ExportService } from '../exports/exportService';
import { describeError } from '../errors/describeError';
import type { Logger } from '../logging/logger';
import type { MatchReporter } from '../matching/matchReporter';
import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../model/run';
import { ALERT_EVENTS, type Telemetry } from '../telemetry/telemetry';
import { explainSegment } from './segmentExplanation';

/** Codes of a sign-in RollWorks no longer accepts: an administrator must authorize the connection again. */
const REAUTHORIZATION_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'INVALID_GRANT']);
const OUTCOMES = new Set(['succeeded', 'partiallySucceeded', 'failed']);

export interface RunEventsDeps {
  publisher: EventPublisher;
  states: EventStates;
  telemetry: Telemetry;
  exports: Pick<ExportService, 'get'>;
  matches: Pick<MatchReporter, 'noteWrite'>;
  logger: Logger;
}

/**
 * Turns changes of run and segment state into events for webhooks and into telemetry. Runs in the
 * background: a failure here is logged and never fails or slows the change that caused it.
 */
export function createRunEvents(deps: RunEventsDeps) {
  const { publisher, states, telemetry, exports, matches, logger } = deps;
  const pending = new Set<Promise<void>>();

  function track(work: () => Promise<void>, fields: Record<string, string>): void {
    const promise = work()
      .catch((error: unknown) =>
        logger.warn('could not publish an event', { ...fields, error: describeError(error) }),
      )
      .finally(() => pending.delete(promise));
    pending.add(promise);
  }

  const publish = (type: AppEvent['type'], subject: string, data: EventData) =>
    publisher.publish({ type, subject, data });

  async function segmentChanged(before: SegmentRunState, after: SegmentRunState, run: Run): Promise<void> {
    if (isFinalSegmentStatus(after.status)) recordSegmentRun(after, run);
    const resumed = after.status === 'running' && before.status === 'waitingForQuota';
    if (!resumed && !['failed', 'waitingForQuota', 'succeeded'].includes(after.status)) return;
    const exportConfig = await exports.get(run.exportId);
    const connectionId = exportConfig?.connectionId ?? null;
    const data: EventData = {
      exportId: run.exportId,
      exportName: exportConfig?.displayName ?? null,
      runId: run.id,
      segment: after.segment,
    };
    const ids = { exportId: run.exportId, runId: run.id, segment: after.segment };
    const segmentKey = `segment|${run.exportId}|${after.segment}`;
    const message = explainSegment(after, run).error?.message ?? null;
    switch (after.status) {
      case 'failed': {
        const code = after.error?.code ?? after.reason ?? 'FAILED';
        telemetry.alert(ALERT_EVENTS.segmentFailed, { ...ids, code });
        if ((await states.change(segmentKey, code)).changed) {
          const type = code === 'MASS_REMOVAL_BLOCKED' ? 'segment.massRemovalBlocked' : 'segment.failed';
          await publish(type, run.exportId, { ...data, code, message, removed: after.counts.removed });
        }
        if (connectionId && REAUTHORIZATION_CODES.has(code)) {
          telemetry.alert(ALERT_EVENTS.reauthorizationRequired, { connectionId, code });
          if ((await states.change(`connection|${connectionId}`, 'reauthorizationRequired')).changed)
            await publish('connection.reauthorizationRequired', connectionId, {
              ...data,
              connectionId,
              code,
              message,
            });
        }
        return;
      }
      case 'waitingForQuota':
        telemetry.alert(ALERT_EVENTS.budgetExhausted, ids);
        if ((await states.change('quota', 'exhausted')).changed)
          await publish('quota.exhausted', run.exportId, {
            ...data,
            resumesAt: after.resumesAt ?? null,
            message,
          });
        return;
      case 'running':
        if ((await states.change('quota', 'available')).changed)
          await publish('quota.resumed', run.exportId, {
            ...data,
            message: 'The daily RollWorks request budget is available again; waiting segments resume.',
          });
        return;
      case 'succeeded':
        for (const warning of after.warnings ?? [])
          if (warning.code === 'AUDIENCE_COUNT_MISMATCH')
            await publish('audience.countMismatch', run.exportId, {
              ...data,
              audienceId: after.audience?.id ?? null,
              sent: after.counts.sent,
              code: warning.code,
              message: warning.message,
            });
        if (exportConfig && connectionId && after.audience && after.counts.sent > 0 && !run.dryRun)
          await matches.noteWrite({
            exportId: run.exportId,
            segment: after.segment,
            connectionId,
            advertiserId: exportConfig.advertiserId,
            audienceId: after.audience.id,
            sent: after.counts.sent,
            writtenAt: after.finishedAt ?? run.createdAt,
          });
        await states.change(segmentKey, 'ok');
        if (connectionId) await states.change(`connection|${connectionId}`, 'ok');
    }
  }

  function recordSegmentRun(state: SegmentRunState, run: Run): void {
    const started = state.startedAt ? Date.parse(state.startedAt) : NaN;
    const finished = state.finishedAt ? Date.parse(state.finishedAt) : NaN;
    telemetry.segmentRun({
      exportId: run.exportId,
      runId: run.id,
      segment: state.segment,
      status: state.status,
      read: state.counts.read,
      valid: state.counts.valid,
      sent: state.counts.sent,
      rejected: state.counts.invalid,
      durationMs: Number.isNaN(started + finished) ? 0 : Math.max(0, finished - started),
    });
  }

  async function runFinished(run: Run): Promise<void> {
    const started = Date.parse(run.startedAt ?? run.createdAt);
    telemetry.runCompleted({
      exportId: run.exportId,
      runId: run.id,
      status: run.status,
      trigger: run.trigger.type,
      segments: run.segments.length,
      durationMs: run.finishedAt ? Math.max(0, Date.parse(run.finishedAt) - started) : 0,
    });
    if (run.dryRun || !OUTCOMES.has(run.status)) return;
    const { changed, previous } = await states.change(`run|${run.exportId}`, run.status);
    if (!changed && run.status !== 'succeeded') return; // a run that stays failed says nothing new
    const exportConfig = await exports.get(run.exportId);
    const count = (status: string) => run.segments.filter((s) => s.status === status).length;
    const succeeded = count('succeeded');
    const type = `run.${run.status}` as AppEvent['type'];
    await publish(type, run.exportId, {
      exportId: run.exportId,
      exportName: exportConfig?.displayName ?? null,
      runId: run.id,
      trigger: run.trigger.type,
      segments: run.segments.length,
      succeededSegments: succeeded,
      failedSegments: count('failed'),
      sent: run.segments.reduce((sum, s) => sum + s.counts.sent, 0),
      ...(run.status === 'succeeded'
        ? { recovered: previous !== undefined && previous !== 'succeeded' }
        : {}),
      message: `${succeeded} of ${run.segments.length} segments of export "${exportConfig?.displayName ?? run.exportId}" succeeded.`,
    });
  }

  return {
    /** A segment's state changed; `finished` when that change ended the run. */
    changed(before: SegmentRunState, after: SegmentRunState, run: Run, finished: boolean): void {
      const fields = { runId: run.id, segment: after.segment };
      if (before.status !== after.status) track(() => segmentChanged(before, after, run), fields);
      if (finished) track(() => runFinished(run), fields);
    },
    /** Resolves when what was noticed so far is published (tests, and before an instance stops). */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type RunEvents = ReturnType<typeof createRunEvents>;
