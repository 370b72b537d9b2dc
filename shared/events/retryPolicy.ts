/** How one delivery attempt ended. */
export type AttemptOutcome =
  | { kind: 'response'; status: number }
  | { kind: 'timeout' }
  | { kind: 'connectionError' }
  | { kind: 'refused'; reason: string };

const FIRST_RETRY_MS = 30_000;
const LONGEST_WAIT_MS = 4 * 3600_000;
/** Deliveries are retried for at least this long after their first attempt. */
export const RETRY_WINDOW_MS = 25 * 3600_000;
/** A webhook whose deliveries have failed without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600_000;

export const delivered = (outcome: AttemptOutcome): boolean =>
  outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;

/** 5xx, 408, 429, time-outs and connection errors may pass; other 4xx and refused URLs will not. */
export function retryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'timeout' || outcome.kind === 'connectionError') return true;
  if (outcome.kind === 'refused') return false;
  return outcome.status >= 500 || outcome.status === 408 || outcome.status === 429;
}

/**
 * Wait before attempt `attempt + 1` (attempt counts from 1): exponential from 30 s, at most 4 h, with
 * full jitter on the upper half so that many receivers recovering at once are not hit together.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LONGEST_WAIT_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Whether a failed attempt at `now` gets another one, given when the first attempt was. */
export function retryAgain(outcome: AttemptOutcome, firstAttemptAt: Date, now: Date): boolean {
  return retryable(outcome) && now.getTime() - firstAttemptAt.getTime() < RETRY_WINDOW_MS;
}

export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return String(outcome.status);
    case 'timeout':
      return 'timeout';
    case 'connectionError':
      return 'connection error';
    case 'refused':
      return `refused: ${outcome.reason}`;
  }
}
