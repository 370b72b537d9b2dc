/**
 * What the core does about a failed destination call:
 * - `retryable`: try again later (429, 5xx, a connection error before anything was processed);
 * - `quota`: the application's request budget is used up until `resetsAt`;
 * - `auth`: the connection's sign-in is not accepted; an administrator must authorize it again;
 * - `permanent`: the request itself is wrong (unknown advertiser or audience, too large, refused);
 * - `outcomeUnknown`: a write may or may not have happened (timeout or reset after sending).
 */
export type DestinationErrorKind = 'retryable' | 'quota' | 'auth' | 'permanent' | 'outcomeUnknown';

/** Codes users see on a failed segment; each has a next step in `shared/runs/segmentExplanation.ts`. */
export type DestinationErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'NETWORK'
  | 'REQUEST_TOO_LARGE'
  | 'INVALID_GRANT'
  | 'DAILY_BUDGET_EXHAUSTED';

export interface DestinationErrorDetails {
  /** HTTP status of the destination's answer, when there was one. */
  status?: number;
  /** How long to wait before trying again, when the destination or the budget says. */
  retryAfterMs?: number;
  /** `quota`: when the request budget resets. */
  resetsAt?: Date;
}

export class DestinationError extends Error {
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly resetsAt?: Date;

  constructor(
    readonly code: DestinationErrorCode,
    readonly kind: DestinationErrorKind,
    message: string,
    details: DestinationErrorDetails = {},
  ) {
    super(message);
    this.name = 'DestinationError';
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.resetsAt = details.resetsAt;
  }

  /** Worth another attempt later (an unknown outcome too: the caller checks before writing again). */
  get retryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'outcomeUnknown';
  }
}
