import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

export interface ProblemFieldError {
  field: string;
  message: string;
}

export interface ProblemOptions {
  /** Stable machine-readable code, e.g. SEGMENT_TOO_SMALL. */
  code?: string;
  /** The request field (dotted path) at fault. */
  field?: string;
  errors?: ProblemFieldError[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

/** An error that maps to an RFC 9457 `application/problem+json` response. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly options: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export const badRequest = (detail: string, options?: ProblemOptions) =>
  new ProblemError(400, 'Bad request', detail, options);
export const unauthorized = (detail: string) =>
  new ProblemError(401, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail: string, options?: ProblemOptions) =>
  new ProblemError(403, 'Forbidden', detail, options);
export const notFound = (detail: string, options?: ProblemOptions) =>
  new ProblemError(404, 'Not found', detail, options);
export const conflict = (detail: string, options?: ProblemOptions) =>
  new ProblemError(409, 'Conflict', detail, options);
export const unprocessable = (detail: string, options?: ProblemOptions) =>
  new ProblemError(422, 'Unprocessable content', detail, options);

/** `at` names the value the schema checked when it is not the body (a route parameter, a header). */
export function zodFieldErrors(error: z.ZodError, at?: string): ProblemFieldError[] {
  return error.issues.map((issue) => ({
    field: [...(at === undefined ? [] : [at]), ...issue.path].join('.') || '(body)',
    message: issue.message,
  }));
}

/** 422 naming each field a request body, query, route parameter (`at`) or header (`at`) failed validation on. */
export function validationProblem(error: z.ZodError, where = 'request body', at?: string): ProblemError {
  const errors = zodFieldErrors(error, at);
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return unprocessable(`The ${where} is invalid: ${detail}`, {
    code: 'VALIDATION_FAILED',
    field: errors[0]?.field,
    errors,
  });
}

export function problemResponse(error: ProblemError, instance?: string): HttpResponseInit {
  const { code, field, errors, headers, extra } = error.options;
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    jsonBody: {
      type: `https://github.com/rollworks-export/rollworks-export#${code ?? error.status}`,
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...(code ? { code } : {}),
      ...(field ? { field } : {}),
      ...(errors ? { errors } : {}),
      ...(instance ? { instance } : {}),
      ...extra,
    },
  };
}

export function internalErrorResponse(instance?: string): HttpResponseInit {
  return problemResponse(
    new ProblemError(500, 'Internal error', 'The request failed unexpectedly; it can be retried.', {
      code: 'INTERNAL',
    }),
    instance,
  );
}
