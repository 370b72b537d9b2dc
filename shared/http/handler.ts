import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { Principal, Role } from '../model/identity';
import { getServices, type Services } from '../services';
import { contextLogger, type Logger } from '../logging/logger';
import {
  DomainError,
  ForbiddenError,
  InvalidError,
  MalformedError,
  TooLargeError,
  type DomainErrorKind,
  type FieldError,
} from '../errors/domainErrors';
import { describeError } from '../errors/describeError';
import { internalErrorResponse, problemResponse, type Problem } from './problem';

export interface ApiContext {
  services: Services;
  /** The caller; null only on anonymous endpoints. */
  principal: Principal | null;
  logger: Logger;
  invocation: InvocationContext;
}

export interface ApiOptions {
  /** Roles allowed to call; `anonymous` skips authentication. */
  roles: readonly Role[] | 'anonymous';
  handler: (request: HttpRequest, context: ApiContext) => Promise<HttpResponseInit>;
}

/** The HTTP edge: wraps a handler with authentication and role checks, and turns domain errors into problem+json. */
export function apiHandler(options: ApiOptions) {
  return async (request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> => {
    const logger = contextLogger(invocation, { invocationId: invocation.invocationId });
    const instance = new URL(request.url).pathname;
    try {
      const services = getServices();
      let principal: Principal | null = null;
      if (options.roles !== 'anonymous') {
        principal = await services.authenticator.authenticate(request.headers.get('authorization'));
        const allowed = options.roles;
        if (!principal.roles.some((role) => allowed.includes(role))) {
          throw new ForbiddenError(`This operation needs one of the roles: ${allowed.join(', ')}.`, {
            code: 'ROLE_REQUIRED',
          });
        }
      }
      return await options.handler(request, { services, principal, logger, invocation });
    } catch (error) {
      if (error instanceof DomainError) return problemResponse(problemOf(error), instance);
      logger.error('request failed', { function: invocation.functionName, error: describeError(error) });
      return internalErrorResponse(instance);
    }
  };
}

const STATUS: Record<DomainErrorKind, { status: number; title: string }> = {
  malformed: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  notFound: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  tooLarge: { status: 413, title: 'Content too large' },
  invalid: { status: 422, title: 'Unprocessable content' },
  upstreamFailed: { status: 502, title: 'Bad gateway' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

/** A domain error as the problem response it is answered with. */
export function problemOf(error: DomainError): Problem {
  const { status, title } = STATUS[error.kind];
  const headers = {
    ...(error.kind === 'unauthenticated' ? { 'WWW-Authenticate': 'Bearer' } : {}),
    ...(error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) }),
  };
  return {
    status,
    title: error.title ?? title,
    detail: error.message,
    code: error.code,
    field: error.field,
    errors: error.errors,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    extra: error.details,
  };
}

/** Far above any request this API takes; the host's own limit (100 MB) would be read into memory whole. */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Reads and validates a JSON body: 400 when it is not JSON, 413 when too large, 422 naming each field at fault. */
export async function readJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
): Promise<z.infer<S>> {
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new MalformedError('The request body is not valid JSON.', {
      code: 'INVALID_JSON',
      field: '(body)',
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new TooLargeError(`The request body is larger than ${maxBytes} bytes.`, {
      code: 'BODY_TOO_LARGE',
      field: '(body)',
    });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Validates one route parameter: 422 naming it. */
export function readRouteParam<S extends z.ZodType>(
  request: HttpRequest,
  name: string,
  schema: S,
): z.infer<S> {
  const parsed = schema.safeParse(request.params[name]);
  if (!parsed.success) throw invalidInput(parsed.error, 'path', name);
  return parsed.data;
}

/** Validates query parameters (strings) against a schema. */
export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(request.query.entries()));
  if (!parsed.success) throw invalidInput(parsed.error, 'query string');
  return parsed.data;
}

/** 422 naming each field a request body, query, route parameter (`at`) or header (`at`) failed validation on. */
export function invalidInput(error: z.ZodError, where = 'request body', at?: string): InvalidError {
  const errors: FieldError[] = error.issues.map((issue) => ({
    field: [...(at === undefined ? [] : [at]), ...issue.path].join('.') || '(body)',
    message: issue.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new InvalidError(`The ${where} is invalid: ${detail}`, {
    code: 'VALIDATION_FAILED',
    field: errors[0]?.field,
    errors,
  });
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json', ...headers },
});
