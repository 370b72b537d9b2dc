import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../model/run';

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
    default:
      // Succeeded, queued or running: an error here is a retry in progress, worth showing as it is.
      return {
        reason: state.reason,
        error:
          state.error && !isFinalSegmentStatus(state.status) ? explainError(state.error, state.status) : null,
      };
  }
}
