import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { handleApi, type ApiOutcome } from './api';
import { drawFault } from './faults';
import { apiError, readBody, sendResponse, type SimRequest, type SimResponse } from './http';
import { handleAuth } from './oauth';
import type { SimulatorOptions } from './options';
import { SimulatorState } from './state';

export interface RunningSimulator {
  /** Base URL for both the API and OAuth, e.g. `http://127.0.0.1:50123` (no trailing slash). */
  url: string;
  port: number;
  stop(): Promise<void>;
  state: SimulatorState;
}

const SECRET_QUERY_PARAMS = new Set([
  'code',
  'state',
  'client_secret',
  'refresh_token',
  'access_token',
  'token',
  'password',
]);

/** Path with query parameters that could carry secrets removed. */
function loggablePath(url: URL): string {
  const kept = new URLSearchParams();
  for (const [key, value] of url.searchParams) if (!SECRET_QUERY_PARAMS.has(key)) kept.append(key, value);
  const query = kept.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function authWithFaults(state: SimulatorState, request: SimRequest): Promise<ApiOutcome> {
  if (state.faults.auth) {
    const fault = drawFault(state.faults, state.random);
    if (fault === 'drop') return { fault, response: { status: 0, drop: true } };
    if (fault === '429')
      return { fault, response: { status: 429, json: { error: 'temporarily_unavailable' } } };
    if (fault === '500') return { fault, response: { status: 500, json: { error: 'server_error' } } };
  }
  if (request.bodyTooLarge) return { response: { status: 413, json: { error: 'invalid_request' } } };
  return { response: await handleAuth(state, request) };
}

async function handle(state: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const { body, tooLarge } = await readBody(req, state.maxRequestBytes);
  const request: SimRequest = {
    method: req.method ?? 'GET',
    url,
    headers: req.headers,
    body,
    bodyTooLarge: tooLarge,
  };

  if (url.pathname.startsWith('/__admin/')) {
    sendResponse(res, handleAdmin(state, request));
    return;
  }

  const isApi = ['/api/', '/audience/', '/user-lists/'].some((prefix) => url.pathname.startsWith(prefix));
  const isAuth = url.pathname.startsWith('/auth/');
  const latencyMs = state.faults.latencyMs ?? 0;
  if (latencyMs > 0 && (isApi || (isAuth && state.faults.auth))) await sleep(latencyMs);

  let outcome: ApiOutcome;
  if (isApi) outcome = await handleApi(state, request);
  else if (isAuth) outcome = await authWithFaults(state, request);
  else outcome = { response: apiError(404, `Unknown endpoint ${url.pathname}`) };

  const response: SimResponse = outcome.response;
  state.logRequest({
    method: request.method,
    path: loggablePath(url),
    status: response.drop ? 0 : response.status,
    time: state.now().toISOString(),
    durationMs: Date.now() - started,
    ...(outcome.clientId ? { clientId: outcome.clientId } : {}),
    ...(outcome.fault ? { fault: outcome.fault } : {}),
  });
  if (response.drop) req.socket.destroy();
  else sendResponse(res, response);
}

/** Starts the RollWorks simulator on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const state = new SimulatorState(options);
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else sendResponse(res, apiError(500, 'Simulator error'));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
