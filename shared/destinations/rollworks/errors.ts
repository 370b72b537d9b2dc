import { redact } from '../../logging/logger';
import {
  DestinationError,
  type DestinationErrorCode,
  type DestinationErrorDetails,
  type DestinationErrorKind,
} from '../destinationError';
import { field } from './json';

/** Requests that failed with one of these never reached RollWorks. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const KIND: Record<DestinationErrorCode, DestinationErrorKind> = {
  RATE_LIMITED: 'retryable',
  SERVER_ERROR: 'retryable',
  NETWORK: 'retryable',
  DAILY_BUDGET_EXHAUSTED: 'quota',
  UNAUTHORIZED: 'auth',
  FORBIDDEN: 'auth',
  INVALID_GRANT: 'auth',
  NOT_FOUND: 'permanent',
  BAD_REQUEST: 'permanent',
  REQUEST_TOO_LARGE: 'permanent',
};

/** A RollWorks failure classified by its code; `outcomeUnknown` when a write may have happened. */
export function rollWorksError(
  code: DestinationErrorCode,
  message: string,
  details: DestinationErrorDetails & { outcomeUnknown?: boolean } = {},
): DestinationError {
  const { outcomeUnknown, ...rest } = details;
  return new DestinationError(code, outcomeUnknown ? 'outcomeUnknown' : KIND[code], message, rest);
}

/** The same failure, now with an unknown outcome (a write that was not answered). */
export const withOutcomeUnknown = (error: DestinationError): DestinationError =>
  new DestinationError(error.code, 'outcomeUnknown', error.message, detailsOf(error));

/** The same failure after the retry budget ran out: waits at least `retryAfterMs` before the next try. */
export const exhausted = (error: DestinationError, attempts: number, retryAfterMs: number) =>
  new DestinationError(
    error.code,
    error.kind,
    `${error.message} (still failing after ${attempts} attempts)`,
    {
      ...detailsOf(error),
      retryAfterMs,
    },
  );

const detailsOf = (error: DestinationError): DestinationErrorDetails => ({
  status: error.status,
  retryAfterMs: error.retryAfterMs,
  resetsAt: error.resetsAt,
});

export function errorFromResponse(
  operation: string,
  status: number,
  body: unknown,
  retryAfterHeader: unknown,
  refreshed: boolean,
): DestinationError {
  const detail = describeErrorBody(body);
  let code: DestinationErrorCode;
  if (status === 429) code = 'RATE_LIMITED';
  else if (status >= 500) code = 'SERVER_ERROR';
  else if (status === 401) code = 'UNAUTHORIZED';
  else if (status === 403) code = 'FORBIDDEN';
  else if (status === 404) code = 'NOT_FOUND';
  else if (status === 413) code = 'REQUEST_TOO_LARGE';
  else if (field(body, 'error') === 'invalid_grant') code = 'INVALID_GRANT';
  else code = 'BAD_REQUEST';
  const hint = status === 401 && refreshed ? ' even after a token refresh' : '';
  const message = `RollWorks ${operation} failed with HTTP ${status}${hint}${detail ? `: ${detail}` : ''}`;
  return rollWorksError(code, message, { status, retryAfterMs: parseRetryAfter(retryAfterHeader) });
}

export function networkError(operation: string, method: string, code: string | undefined): DestinationError {
  const sent = !NOT_SENT_CODES.has(code ?? '');
  return rollWorksError(
    'NETWORK',
    `RollWorks ${operation} failed: ${code === 'ECONNABORTED' ? 'timed out' : `connection error ${code ?? 'unknown'}`}`,
    { outcomeUnknown: sent && method !== 'GET' },
  );
}

/** A short, redacted description of whatever error body came back (JSON or not). */
function describeErrorBody(body: unknown): string {
  let text: string | undefined;
  const errors = field(body, 'errors');
  if (Array.isArray(errors) && errors.length > 0) {
    text = errors
      .map((e) => [field(e, 'field'), field(e, 'message')].filter((part) => part !== undefined).join(': '))
      .join('; ');
  }
  text ??= [field(body, 'error'), field(body, 'error_description')]
    .filter((p) => typeof p === 'string')
    .join(': ');
  if (!text) {
    const message = field(body, 'message');
    text = typeof message === 'string' ? message : typeof body === 'string' ? body : '';
  }
  text = redact(text.replace(/\s+/g, ' ').trim());
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
