/**
 * What went wrong, in the words of the domain. Services throw these; only the HTTP edge
 * (`shared/http/handler.ts`) turns them into responses.
 */
export type DomainErrorKind =
  /** The request cannot be read at all (e.g. a body that is not JSON). */
  | 'malformed'
  /** A value breaks a rule; `field` names it. */
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'tooLarge'
  /** Try again later; `retryAfterSeconds` says when. */
  | 'unavailable'
  /** A store the app reads from failed to answer. */
  | 'upstreamFailed';

export interface FieldError {
  /** The request field (dotted path) at fault. */
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  /** Stable machine-readable code, e.g. SEGMENT_TOO_SMALL. */
  code?: string;
  /** The request field (dotted path) at fault. */
  field?: string;
  /** Every field at fault, when there are several. */
  errors?: FieldError[];
  /** Facts for the caller beyond the message, e.g. the run in progress. */
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
  /** A summary more precise than the kind's, e.g. "Segment store unavailable". */
  title?: string;
}

export class DomainError extends Error {
  readonly code?: string;
  readonly field?: string;
  readonly errors?: FieldError[];
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
  readonly title?: string;

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
    Object.assign(this, options);
  }
}

type Options = DomainErrorOptions;

export class MalformedError extends DomainError {
  constructor(message: string, options?: Options) {
    super('malformed', message, options);
    this.name = 'MalformedError';
  }
}

export class InvalidError extends DomainError {
  constructor(message: string, options?: Options) {
    super('invalid', message, options);
    this.name = 'InvalidError';
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super('unauthenticated', message);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, options?: Options) {
    super('forbidden', message, options);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, options?: Options) {
    super('notFound', message, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, options?: Options) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

export class TooLargeError extends DomainError {
  constructor(message: string, options?: Options) {
    super('tooLarge', message, options);
    this.name = 'TooLargeError';
  }
}

export class UnavailableError extends DomainError {
  constructor(message: string, options?: Options) {
    super('unavailable', message, options);
    this.name = 'UnavailableError';
  }
}

export class UpstreamError extends DomainError {
  constructor(message: string, options?: Options) {
    super('upstreamFailed', message, options);
    this.name = 'UpstreamError';
  }
}
