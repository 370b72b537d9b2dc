import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { Principal, Role } from '../model/identity';
import { getServices, type Services } from '../services';
import { contextLogger, type Logger } from '../logging/logger';
import {
  badRequest,
  forbidden,
  internalErrorResponse,
  ProblemError,
  problemResponse,
  validationProblem,
} from './problem';

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

/** Wraps an HTTP handler with authentication, role checks and problem+json error mapping. */
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
          throw forbidden(`This operation needs one of the roles: ${allowed.join(', ')}.`, {
            code: 'ROLE_REQUIRED',
          });
        }
      }
      return await options.handler(request, { services, principal, logger, invocation });
    } catch (error) {
      if (error instanceof ProblemError) return problemResponse(error, instance);
      logger.error('request failed', { function: invocation.functionName, error: errorName(error) });
      return internalErrorResponse(instance);
    }
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';
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
    throw badRequest('The request body is not valid JSON.', { code: 'INVALID_JSON', field: '(body)' });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error);
  return parsed.data;
}

async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new ProblemError(413, 'Content too large', `The request body is larger than ${maxBytes} bytes.`, {
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
  if (!parsed.success) throw validationProblem(parsed.error, 'path', name);
  return parsed.data;
}

/** Validates query parameters (strings) against a schema. */
export function readQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(request.query.entries()));
  if (!parsed.success) throw validationProblem(parsed.error, 'query string');
  return parsed.data;
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
