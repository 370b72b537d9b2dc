import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { DomainError, ForbiddenError, type DomainErrorKind } from '../errors/domainErrors';
import { describeError } from '../errors/describeError';
import { contextLogger } from '../logging/logger';
import type { Principal, Role } from '../model/identity';
import { getServices } from '../services';
import { internalErrorResponse, problemResponse, type Problem } from './problem';
import { readInput } from './requestInput';
import type { Route } from './route';

/**
 * The HTTP edge: wraps a route's handler with authentication, the role check and validation of what
 * the route declares, and turns domain errors into `application/problem+json`.
 */
export function httpHandler(route: Route) {
  return async (request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> => {
    const logger = contextLogger(invocation, { invocationId: invocation.invocationId });
    const instance = new URL(request.url).pathname;
    try {
      const principal = route.roles === 'anonymous' ? null : await authorize(request, route.roles);
      const input = await readInput(request, route.request ?? {}, () => getServices().config);
      return await route.handler(input, {
        get services() {
          return getServices();
        },
        principal,
        logger,
        invocation,
      });
    } catch (error) {
      if (error instanceof DomainError)
        return route.refuse?.(error) ?? problemResponse(problemOf(error), instance);
      logger.error('request failed', { function: invocation.functionName, error: describeError(error) });
      return internalErrorResponse(instance);
    }
  };
}

async function authorize(request: HttpRequest, allowed: readonly Role[]): Promise<Principal> {
  const principal = await getServices().authenticator.authenticate(request.headers.get('authorization'));
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new ForbiddenError(`This operation needs one of the roles: ${allowed.join(', ')}.`, {
      code: 'ROLE_REQUIRED',
    });
  }
  return principal;
}

const STATUS: Record<DomainErrorKind, { status: number; title: string }> = {
  malformed: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  notFound: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  tooLarge: { status: 413, title: 'Content too large' },
  unsupportedMedia: { status: 415, title: 'Unsupported media type' },
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

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json', ...headers },
});
