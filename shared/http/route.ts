import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { AppConfig } from '../config/config';
import type { DomainError } from '../errors/domainErrors';
import type { Logger } from '../logging/logger';
import type { Principal, Role } from '../model/identity';
import type { Services } from '../services';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The zod schemas of what a route reads; the edge validates each before the handler runs. */
export interface RouteRequest {
  params?: z.ZodObject;
  headers?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body; an empty one reads as `{}`. */
  body?: z.ZodType;
  /** Documents the body as optional. */
  bodyOptional?: boolean;
  /** A text body read as a stream (never whole into memory); exclusive with `body`. */
  textBody?: TextBodySpec;
}

type NumberSetting = {
  [K in keyof AppConfig]-?: AppConfig[K] extends number ? K : never;
}[keyof AppConfig];

export type TextMediaType = 'text/plain' | 'text/csv';

export interface TextBodySpec {
  mediaTypes: readonly TextMediaType[];
  /** The setting holding the largest body taken, in bytes (413 beyond). */
  maxBytesSetting: NumberSetting;
}

/** A streamed text body: its media type and its UTF-8 text a chunk at a time (one pass only). */
export interface TextBody {
  mediaType: TextMediaType;
  chunks: AsyncIterable<string>;
}

type Parsed<R, K extends keyof RouteRequest> = R extends { [P in K]: infer S extends z.ZodType }
  ? z.infer<S>
  : undefined;

/** What the handler gets: each part of the request as its schema parsed it. */
export interface RouteInput<R extends RouteRequest> {
  params: Parsed<R, 'params'>;
  headers: Parsed<R, 'headers'>;
  query: Parsed<R, 'query'>;
  body: R extends { body: z.ZodType }
    ? Parsed<R, 'body'>
    : R extends { textBody: TextBodySpec }
      ? TextBody
      : undefined;
}

export interface RouteContext {
  /** Composed on first use, so a route that never reads it answers even with invalid settings. */
  readonly services: Services;
  /** The caller; null only on anonymous routes. */
  principal: Principal | null;
  logger: Logger;
  invocation: InvocationContext;
}

/**
 * One HTTP route: the function registration, its OpenAPI operation and its row in the role table
 * all come from this declaration.
 */
export interface Route<R extends RouteRequest = RouteRequest> {
  /** Function name and OpenAPI operationId. */
  name: string;
  method: HttpMethod;
  /** Route template under the `api` prefix, e.g. `exports/{id}/runs`. */
  path: string;
  summary: string;
  /** Roles allowed to call; `anonymous` skips authentication. */
  roles: readonly Role[] | 'anonymous';
  request?: R;
  /** Documented responses; 401/403 (authenticated routes) and 413 (routes with a body) are added. */
  responses: Record<string, ResponseConfig>;
  handler(input: RouteInput<R>, context: RouteContext): Promise<HttpResponseInit>;
  /** How a refused request is answered; default problem+json. A page, for routes browsers land on. */
  refuse?(error: DomainError): HttpResponseInit;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a route that reads nothing
export function defineRoute<R extends RouteRequest = {}>(route: Route<R>): Route<R> {
  return route;
}
