import type { AudienceDestination } from '../destinations/destination';
import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../model/run';
import type { FailedVerdict } from '../worker/segmentDecision';

export interface SegmentError {
  code: string;
  message: string;
}

/** Reason (and run reason prefix) of a scheduled run skipped because the previous one was still going. */
export const PREVIOUS_RUN_IN_PROGRESS = 'previousRunInProgress';

const REAUTHORIZE = {
  unless: /authorize/i,
  text: 'An administrator must authorize the RollWorks connection again, then run the export again.',
};

/**
 * What a person can do about a failure, added to the recorded message when it does not say so
 * already (the message comes from where the error happened and tells what happened).
 */
const NEXT_STEP: Record<string, { unless: RegExp; text: string }> = {
  EMAIL_FIELD_MISSING: {
    unless: /edit the export/i,
    text: 'Edit the export to map a field the segment has, then run it again.',
  },
  CONSENT_FIELD_MISSING: {
    unless: /edit the export/i,
    text: 'Edit the export to choose a consent field the segment has, or remove the consent filter, then run it again.',
  },
  SEGMENT_NOT_FOUND: {
    unless: /edit the export/i,
    text: 'Check that the segment is still published, or edit the export to remove it.',
  },
  SEGMENT_EMPTY: { unless: /nothing was sent/i, text: 'Nothing was sent.' },
  INVALID_GRANT: REAUTHORIZE,
  UNAUTHORIZED: REAUTHORIZE,
  FORBIDDEN: {
    unless: /access/i,
    text: 'The connection’s RollWorks user may not change this advertiser’s audiences: check the advertiser and the user’s access in RollWorks.',
  },
  RATE_LIMITED: {
    unless: /run the export again/i,
    text: 'RollWorks kept refusing the requests; run the export again later.',
  },
  SERVER_ERROR: {
    unless: /run the export again/i,
    text: 'RollWorks kept failing; run the export again later.',
  },
  NETWORK: {
    unless: /run the export again/i,
    text: 'RollWorks could not be reached; run the export again later.',
  },
  BAD_REQUEST: {
    unless: /run the export again/i,
    text: 'RollWorks refused the request; check the export’s advertiser and segment, then run the export again.',
  },
  NOT_FOUND: {
    unless: /advertiser/i,
    text: 'RollWorks does not know the advertiser or the audience; check the export’s advertiser.',
  },
  RETRIES_EXHAUSTED: {
    unless: /run the export again/i,
    text: 'Run the export again; if it keeps failing, give the run id to your administrator (the application logs name it).',
  },
  WORKER_ERROR: {
    unless: /run the export again/i,
    text: 'The export worker failed unexpectedly on every attempt; run the export again, and if it keeps failing, give the run id to your administrator (the application logs name it).',
  },
};

const sentence = (text: string) => {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
};

/** The recorded message, completed with the next step its code calls for. */
export function explainError(error: SegmentError, status: SegmentRunState['status']): SegmentError {
  const step = NEXT_STEP[error.code];
  const message = sentence(error.message);
  if (!step || status !== 'failed' || step.unless.test(message)) return { code: error.code, message };
  return { code: error.code, message: message ? `${message} ${step.text}` : step.text };
}

/** The error of a segment of a canceled run. */
export function canceledError(runReason: string | null): SegmentError {
  const by = runReason?.match(/^canceled by (.+)$/)?.[1];
  return {
    code: 'CANCELED',
    message: `The run was canceled${by ? ` by ${by}` : ''} before this segment finished.`,
  };
}

/** The error of a segment skipped because an earlier run of the export was still in progress. */
export function skippedError(reason: string | null, runReason: string | null): SegmentError {
  if (reason === PREVIOUS_RUN_IN_PROGRESS) {
    const previous = runReason?.match(/^previousRunInProgress: (\S+)$/)?.[1];
    return {
      code: 'PREVIOUS_RUN_IN_PROGRESS',
      message: `This scheduled run was skipped because ${previous ? `run ${previous}` : 'an earlier run'} of the export was still in progress; the next scheduled run exports the segment.`,
    };
  }
  return { code: 'SKIPPED', message: `The segment was skipped${reason ? ` (${reason})` : ''}.` };
}

/**
 * The segment's `reason` and `error` as a person reads them: every segment that did not succeed
 * has both, with a sentence saying what happened and what to do.
 */
export function explainSegment(
  state: SegmentRunState,
  run: Pick<Run, 'reason' | 'status'>,
): { reason: string | null; error: SegmentError | null } {
  switch (state.status) {
    case 'failed': {
      const error = state.error ?? {
        code: state.reason ?? 'FAILED',
        message: 'The segment failed without a recorded cause; run the export again.',
      };
      return { reason: state.reason ?? error.code, error: explainError(error, 'failed') };
    }
    case 'canceled':
      return { reason: state.reason ?? 'canceled', error: state.error ?? canceledError(run.reason) };
    case 'skipped': {
      const error = state.error ?? skippedError(state.reason, run.reason);
      return { reason: state.reason ?? error.code, error };
    }
    case 'waitingForQuota':
      return {
        reason: state.reason ?? 'DAILY_BUDGET_EXHAUSTED',
        error: state.error ?? {
          code: 'DAILY_BUDGET_EXHAUSTED',
          message: 'The daily RollWorks request budget is used up; the segment resumes on the next UTC day.',
        },
      };
    case 'stalled':
      return {
        reason: 'STALLED',
        error: {
          code: 'STALLED',
          message: `The worker exporting this segment stopped reporting at ${state.stalledSince ?? 'an unknown time'}; the segment was handed to a new worker and continues where it is safe to.`,
        },
      };
    default:
      // Succeeded, queued or running: an error here is a retry in progress, worth showing as it is.
      return {
        reason: state.reason,
        error:
          state.error && !isFinalSegmentStatus(state.status) ? explainError(state.error, state.status) : null,
      };
  }
}

// What the worker records, in the words users read.

const CONNECTION_NOT_READY_TEXT: Record<string, (destination: string) => string> = {
  pendingAuthorization: (destination) => `has not been authorized in ${destination} yet`,
  authorized: () => 'has no export user yet',
  reauthorizationRequired: (destination) => `must be authorized again (${destination} rejected its sign-in)`,
};

/** The export was deleted after the run was queued: the segment is canceled and sends nothing. */
export const exportRemoved = (exportId: string): SegmentError => ({
  code: 'EXPORT_REMOVED',
  message: `Export ${exportId} was deleted after this run was queued, so nothing was sent.`,
});

/** The segment was removed from the export after the run was queued. */
export const segmentRemoved = (segment: string): SegmentError => ({
  code: 'SEGMENT_REMOVED',
  message: `Segment "${segment}" was removed from the export after this run was queued, so nothing was sent.`,
});

export const connectionRemoved = (): SegmentError => ({
  code: 'CONNECTION_REMOVED',
  message:
    'The export has no RollWorks connection any more (it was deleted or detached), so nothing was sent. Edit the export to choose a connection, then run it again.',
});

export const connectionNotReady = (destination: string, status: string): SegmentError => ({
  code: 'CONNECTION_NOT_READY',
  message: `The ${destination} connection ${CONNECTION_NOT_READY_TEXT[status]?.(destination) ?? `is ${status}`}, so nothing was sent. An administrator must finish or renew the connection, then run the export again.`,
});

/** Why a segment that broke a rule sent nothing. */
export function verdictError(verdict: FailedVerdict, destination: string): SegmentError {
  switch (verdict.kind) {
    case 'tooLarge':
      return {
        code: 'SEGMENT_TOO_LARGE',
        message: `The segment has more than ${verdict.limit} unique valid emails (stopped reading at row ${verdict.rowsRead}); the limit is ${verdict.limit}${verdict.contract ? ' (the connection’s contract limit)' : ''}. Nothing was sent.`,
      };
    case 'tooSmall':
      return {
        code: 'SEGMENT_TOO_SMALL',
        message: `The segment has ${verdict.valid} unique valid emails, fewer than the ${verdict.min} ${destination} requires. Nothing was sent.`,
      };
    case 'massRemovalBlocked':
      return {
        code: 'MASS_REMOVAL_BLOCKED',
        message: `This run would remove ${verdict.removed} of the audience's ${verdict.audienceSize} members (${(verdict.share * 100).toFixed(1)}%), more than the ${(verdict.maxShare * 100).toFixed(0)}% allowed${verdict.dryRun ? ' (dry run)' : ''}. Check the segment, then run with force to apply it. Nothing was sent.`,
      };
  }
}

/** A segment parked until the destination's daily request budget resets. */
export function quotaWait(
  destination: Pick<AudienceDestination, 'name' | 'limits'> | undefined,
  resumesAt: Date,
): SegmentError {
  const budget = destination?.limits.dailyRequests;
  return {
    code: 'DAILY_BUDGET_EXHAUSTED',
    message: `The daily ${destination?.name ?? 'destination'} request budget${budget ? ` (${budget} requests per UTC day)` : ''} is used up; the segment resumes after ${resumesAt.toISOString()}.`,
  };
}

export const retrying = (error: SegmentError, delaySeconds: number): SegmentError => ({
  code: error.code,
  message: `${error.message}; retrying in ${delaySeconds} s.`,
});

export const gaveUp = (error: SegmentError, attempts: number): SegmentError => ({
  code: error.code,
  message: `${error.message}; gave up after ${attempts} attempts.`,
});

/** The destination holds more members than were sent: its replace may have added to the old ones. */
export const audienceCountMismatch = (destination: string, held: number, sent: number): SegmentError => ({
  code: 'AUDIENCE_COUNT_MISMATCH',
  message: `${destination} holds ${held} members in this audience, but ${sent} were sent: it may have added them to the earlier members instead of replacing them, so people who left the segment may still be targeted. Set the export's replaceStrategy to recreate to start each run from a fresh audience.`,
});

/** A segment whose folder changed under the read, queued to be read again. */
export const changedDuringRead = (delaySeconds: number): SegmentError => ({
  code: 'SEGMENT_CHANGED_DURING_READ',
  message: `The segment's files changed while they were being read (the upstream platform is still writing them), so nothing was sent; the segment is read again in ${delaySeconds} s, once its folder is quiet.`,
});

/** The folder kept changing under every read. */
export const changedTooOften = (reads: number): SegmentError => ({
  code: 'SEGMENT_CHANGED_DURING_READ',
  message: `The segment's files changed during each of ${reads} reads, so nothing was sent. Check that the upstream platform finishes writing the segment folder, then run the export again.`,
});

export const retriesExhausted = (): SegmentError => ({
  code: 'RETRIES_EXHAUSTED',
  message: 'The segment failed on every delivery of its queue message.',
});
