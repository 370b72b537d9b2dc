import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform, type Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';
import { problemResponse, type Problem } from '../../shared/http/problem';
import type { FunctionRegistration } from './functionsCore';
import type { Invoker } from './invoker';
import { compileRoute, type CompiledRoute } from './routeTemplate';

export type ExtraRouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpRoute {
  functionName: string;
  /** Path as served, e.g. /api/items/{id}. */
  path: string;
  methods: string[] | 'any';
  authLevel: 'anonymous' | 'function' | 'admin';
  compiled: CompiledRoute;
  registration: FunctionRegistration;
}

const MAX_BODY_BYTES = 100 * 1024 * 1024;

export function httpRoutes(
  functions: FunctionRegistration[],
  routePrefix: string,
  invoker: Invoker,
): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const registration of functions) {
    const trigger = invoker.triggerOf(registration);
    if (trigger.type !== 'httpTrigger') continue;
    const template = (trigger.route ?? registration.metadata.name).replace(/^\/+/, '');
    routes.push({
      functionName: registration.metadata.name,
      path: `/${[routePrefix, template].filter(Boolean).join('/')}`,
      methods: trigger.methods?.length ? trigger.methods.map((method) => method.toUpperCase()) : 'any',
      authLevel: trigger.authLevel ?? 'function',
      compiled: compileRoute(template),
      registration,
    });
  }
  return routes.sort((a, b) => b.compiled.specificity - a.compiled.specificity);
}

export interface HttpDispatcherOptions {
  routes: HttpRoute[];
  routePrefix: string;
  invoker: Invoker;
  extraRoutes: Record<string, ExtraRouteHandler>;
  /** Read per request: the key `function` and `admin` level triggers require. */
  functionsKey: () => string | undefined;
}

/** Answers one node request the way the Functions host front end would. */
export function createHttpDispatcher(options: HttpDispatcherOptions) {
  const { routes, routePrefix, invoker, extraRoutes, functionsKey } = options;
  const prefix = routePrefix ? `/${routePrefix}` : '';

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const method = (request.method ?? 'GET').toUpperCase();
    const extra = extraRoutes[url.pathname];
    if (extra) return extra(request, response);

    // URL parsing resolves `..`: `/api/exports/../connections` must not reach another function.
    const rawPath = (request.url ?? '/').split('?')[0];
    const dotSegment = rawPath.split('/').some((part) => /^(?:\.|%2e){1,2}$/i.test(part));
    const underPrefix =
      !dotSegment &&
      (prefix === '' ||
        url.pathname.toLowerCase() === prefix ||
        url.pathname.toLowerCase().startsWith(`${prefix}/`));
    const routePath = underPrefix ? url.pathname.slice(prefix.length) : undefined;
    let candidates: { route: HttpRoute; params: Record<string, string> | undefined }[];
    try {
      candidates =
        routePath === undefined
          ? []
          : routes
              .map((route) => ({ route, params: route.compiled.match(routePath) }))
              .filter((candidate) => candidate.params !== undefined);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      return sendProblem(response, {
        status: 400,
        title: 'Bad request',
        detail: 'The path holds a malformed percent-encoding.',
        code: 'PATH_MALFORMED',
        field: 'path',
      });
    }
    if (candidates.length === 0) {
      return sendProblem(response, {
        status: 404,
        title: 'Not found',
        detail: `No function serves ${url.pathname}`,
      });
    }
    const chosen = candidates.find(
      ({ route }) => route.methods === 'any' || route.methods.includes(method === 'HEAD' ? 'GET' : method),
    );
    if (!chosen) {
      const allowed = [
        ...new Set(candidates.flatMap(({ route }) => (route.methods === 'any' ? [] : route.methods))),
      ];
      response.setHeader('Allow', allowed.join(', '));
      return sendProblem(response, {
        status: 405,
        title: 'Method not allowed',
        detail: `${method} is not allowed on ${url.pathname}`,
      });
    }
    const { route, params } = chosen;
    if (route.authLevel !== 'anonymous' && !hasValidKey(request, url, functionsKey())) {
      return sendProblem(response, {
        status: 401,
        title: 'Unauthorized',
        detail: `${route.functionName} needs a function key (code or x-functions-key)`,
      });
    }

    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      request.resume();
      response.setHeader('Connection', 'close');
      return sendProblem(response, {
        status: 413,
        title: 'Payload too large',
        detail: 'The request body is too large',
      });
    }
    const httpRequest = streamingRequest(request, method, url, params ?? {});
    let result: unknown;
    try {
      result = await invoker.invoke(route.registration, httpRequest);
    } catch {
      return sendProblem(response, {
        status: 500,
        title: 'Internal server error',
        detail: `Function ${route.functionName} failed`,
      });
    }
    if (!request.complete) {
      // Answered before the whole body arrived (a refusal): the rest is drained, not parsed, and the
      // connection not reused.
      request.unpipe();
      request.resume();
      response.setHeader('Connection', 'close');
    }
    await writeResult(response, result, method === 'HEAD');
  };
}

function hasValidKey(request: IncomingMessage, url: URL, expected: string | undefined): boolean {
  if (!expected) return false;
  const header = request.headers['x-functions-key'];
  const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requestHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * The request with its body as a stream of the socket, as the worker builds it with HTTP streaming
 * on (`createStreamRequest` in @azure/functions): nothing is buffered whole. The host's body limit
 * still applies as the bytes pass.
 */
function streamingRequest(
  request: IncomingMessage,
  method: string,
  url: URL,
  params: Record<string, string>,
): HttpRequest {
  const hasBody = method !== 'GET' && method !== 'HEAD';
  let size = 0;
  const limited = hasBody
    ? Readable.toWeb(
        request.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              size += chunk.length;
              done(size > MAX_BODY_BYTES ? new Error('The request body is too large') : null, chunk);
            },
          }),
        ),
      )
    : undefined;
  const nativeRequest = new Request(url, {
    method,
    headers: requestHeaders(request),
    body: limited as ReadableStream<Uint8Array> | undefined,
    duplex: 'half',
  } as RequestInit);
  // The library's own constructor takes a native request (what its streaming mode passes).
  return new HttpRequest({ nativeRequest, params } as ConstructorParameters<typeof HttpRequest>[0]);
}

async function writeResult(response: ServerResponse, result: unknown, headOnly: boolean): Promise<void> {
  if (result === undefined || result === null) {
    response.statusCode = 204;
    response.end();
    return;
  }
  const httpResponse = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  const body = Buffer.from(await httpResponse.arrayBuffer());
  response.statusCode = httpResponse.status;
  for (const [name, value] of httpResponse.headers) {
    if (name !== 'set-cookie') response.setHeader(name, value);
  }
  const cookies = [...httpResponse.headers.getSetCookie(), ...httpResponse.cookies.map(formatCookie)];
  if (cookies.length > 0) response.setHeader('Set-Cookie', cookies);
  response.setHeader('Content-Length', body.length);
  response.end(headOnly ? undefined : body);
}

export function formatCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/**
 * What Node's HTTP parser refuses before any handler runs (a request line or headers over its limit, a
 * malformed request) still gets a problem+json answer, as every other refusal does.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const problem = problemResponse(
    tooLarge
      ? {
          status: 431,
          title: 'Request header fields too large',
          detail: 'The request line or its headers are too large.',
          code: 'REQUEST_TOO_LARGE',
        }
      : {
          status: 400,
          title: 'Bad request',
          detail: 'The request is not valid HTTP.',
          code: 'REQUEST_MALFORMED',
        },
  );
  const body = JSON.stringify(problem.jsonBody);
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function sendProblem(response: ServerResponse, problem: Problem): void {
  const answer = problemResponse(problem);
  const body = Buffer.from(JSON.stringify(answer.jsonBody));
  response.statusCode = problem.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, String(value));
  response.setHeader('Content-Length', body.length);
  response.end(body);
}
