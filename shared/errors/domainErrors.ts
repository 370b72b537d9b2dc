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
  /** The body comes in a media type the operation does not take. */
  | 'unsupportedMedia'
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

/** The error class of one kind, so that a service says `throw new NotFoundError(...)`. */
function kindOf(kind: DomainErrorKind, name: string) {
  return class extends DomainError {
    constructor(message: string, options?: DomainErrorOptions) {
      super(kind, message, options);
      this.name = name;
    }
  };
}

export const MalformedError = kindOf('malformed', 'MalformedError');
export const InvalidError = kindOf('invalid', 'InvalidError');
export const UnauthenticatedError = kindOf('unauthenticated', 'UnauthenticatedError');
export const ForbiddenError = kindOf('forbidden', 'ForbiddenError');
export const NotFoundError = kindOf('notFound', 'NotFoundError');
export const ConflictError = kindOf('conflict', 'ConflictError');
export const TooLargeError = kindOf('tooLarge', 'TooLargeError');
export const UnsupportedMediaError = kindOf('unsupportedMedia', 'UnsupportedMediaError');
export const UnavailableError = kindOf('unavailable', 'UnavailableError');
export const UpstreamError = kindOf('upstreamFailed', 'UpstreamError');
