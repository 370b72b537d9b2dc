import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { AppConfig } from '../../config/config';
import type { Logger } from '../../logging/logger';
import { silentTelemetry, type RequestOutcome, type Telemetry } from '../../telemetry/telemetry';
import type { AccessTokenProvider } from '../destination';
import { DestinationError } from '../destinationError';
import { errorFromResponse, exhausted, networkError, rollWorksError, withOutcomeUnknown } from './errors';
import { parseBody } from './json';
import type { RequestBudget } from './requestBudget';

export type TransportSettings = Pick<
  AppConfig,
  | 'ROLLWORKS_CLIENT_ID'
  | 'ROLLWORKS_MAX_REQUEST_BYTES'
  | 'ROLLWORKS_REQUEST_TIMEOUT_MS'
  | 'ROLLWORKS_RETRY_BUDGET_MS'
>;

export interface TransportDeps {
  budget: RequestBudget;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Exponential backoff with full jitter: delay = random × min(cap, base × 2^attempt). */
  backoff?: { baseMs: number; capMs: number };
  /** Requests by outcome and the daily budget used. */
  telemetry?: Telemetry;
}

export interface RequestSpec {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  contentType?: string;
  tokens?: AccessTokenProvider;
  /** Safe to repeat when a previous attempt may have been processed (reads, replace, delete). */
  idempotent: boolean;
  /** API calls count against the daily request budget; OAuth calls do not. */
  budgeted: boolean;
  /** Called once, when a request body has been flushed to the network. */
  onSent?: () => void;
}

/** Sends one request: budget, bearer token (refreshed once on 401), retries with backoff; the parsed body. */
export type Transport = (spec: RequestSpec) => Promise<unknown>;

const DEFAULT_BACKOFF = { baseMs: 500, capMs: 20_000 };
/** Shortest delay suggested to the caller when the retry budget runs out. */
const MIN_REQUEUE_DELAY_MS = 15_000;

export function createTransport(config: TransportSettings, deps: TransportDeps): Transport {
  const { logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const telemetry = deps.telemetry ?? silentTelemetry;
  const record = (operation: string, outcome: RequestOutcome) =>
    telemetry.destinationRequest(outcome, { destination: 'rollworks', operation });
  let instance: AxiosInstance | undefined;
  const client = (): AxiosInstance =>
    (instance ??= axios.create({
      timeout: config.ROLLWORKS_REQUEST_TIMEOUT_MS,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      responseType: 'text',
      transformResponse: (raw: unknown) => raw,
      validateStatus: () => true,
      maxRedirects: 0,
    }));

  async function consumeBudget(operation: string): Promise<void> {
    const decision = await deps.budget.tryConsume(1);
    if (decision.ok) return;
    logger.warn('rollworks daily request budget exhausted', {
      operation,
      resetsAt: decision.resetsAt.toISOString(),
    });
    throw rollWorksError(
      'DAILY_BUDGET_EXHAUSTED',
      `The daily RollWorks request budget is used up; it resets at ${decision.resetsAt.toISOString()}.`,
      { resetsAt: decision.resetsAt, retryAfterMs: Math.max(0, decision.resetsAt.getTime() - now()) },
    );
  }

  return async function send(spec: RequestSpec): Promise<unknown> {
    const bytes = spec.body === undefined ? 0 : Buffer.byteLength(spec.body);
    if (bytes > config.ROLLWORKS_MAX_REQUEST_BYTES) {
      throw rollWorksError(
        'REQUEST_TOO_LARGE',
        `The ${spec.operation} request would be ${bytes} bytes, more than the ${config.ROLLWORKS_MAX_REQUEST_BYTES} bytes allowed (ROLLWORKS_MAX_REQUEST_BYTES); nothing was sent.`,
      );
    }
    const onSent = once(spec.onSent);
    const started = now();
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      if (spec.budgeted) await consumeBudget(spec.operation);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
      if (spec.tokens) headers.Authorization = `Bearer ${await spec.tokens.get()}`;
      let failure: DestinationError;
      try {
        const response = await client().request<string>({
          method: spec.method,
          url: spec.url,
          params: { apikey: config.ROLLWORKS_CLIENT_ID, ...spec.query },
          data: spec.body,
          headers,
          ...(onSent
            ? { transport: notifyingTransport(spec.url, config.ROLLWORKS_REQUEST_TIMEOUT_MS, onSent) }
            : {}),
        });
        const body = parseBody(response.data);
        record(spec.operation, outcomeOf(response.status));
        if (response.status >= 200 && response.status < 300) return body;
        if (response.status === 401 && spec.tokens && !refreshed) {
          refreshed = true;
          logger.info('rollworks access token rejected; refreshing once', { operation: spec.operation });
          await spec.tokens.refresh();
          continue;
        }
        failure = errorFromResponse(
          spec.operation,
          response.status,
          body,
          response.headers['retry-after'],
          refreshed,
        );
        if (!failure.retryable) throw failure;
        if (!spec.idempotent && response.status >= 500) throw withOutcomeUnknown(failure);
      } catch (error) {
        if (error instanceof DestinationError) throw error;
        if (!axios.isAxiosError(error)) throw error;
        record(spec.operation, 'error');
        failure = networkError(spec.operation, spec.method, error.code);
        if (!spec.idempotent && failure.kind === 'outcomeUnknown') throw failure;
      }
      attempt += 1;
      const delay =
        failure.retryAfterMs ?? Math.round(random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt));
      if (now() - started + delay > config.ROLLWORKS_RETRY_BUDGET_MS) {
        logger.warn('rollworks retries exhausted for now', {
          operation: spec.operation,
          code: failure.code,
          attempts: attempt,
        });
        throw exhausted(failure, attempt, Math.max(delay, MIN_REQUEUE_DELAY_MS));
      }
      logger.warn('rollworks call failed; retrying', {
        operation: spec.operation,
        code: failure.code,
        status: failure.status,
        attempt,
        delayMs: delay,
      });
      await sleep(delay);
    }
  };
}

/**
 * Node's http(s) for one request, calling `onSent` when the request has been flushed to the socket
 * (its `finish` event): a large body is in the network by then, and the caller can get on with
 * other work while the server processes it. Like axios' own native transport, the whole wait for
 * the response head is bounded by `timeoutMs` (axios only adds that wall-clock limit to its own).
 */
function notifyingTransport(url: string, timeoutMs: number, onSent: () => void) {
  const transport = url.startsWith('https:') ? https : http;
  return {
    request(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) {
      const request = transport.request(options, callback);
      request.once('finish', onSent);
      if (timeoutMs > 0) {
        const timer = setTimeout(() => {
          request.destroy(
            Object.assign(new Error(`timeout of ${timeoutMs}ms exceeded`), { code: 'ECONNABORTED' }),
          );
        }, timeoutMs);
        const clear = () => clearTimeout(timer);
        request.once('response', clear);
        request.once('close', clear);
      }
      return request;
    },
  };
}

function outcomeOf(status: number): RequestOutcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return '429';
  return status >= 500 ? '5xx' : 'error';
}

function once(callback: (() => void) | undefined): (() => void) | undefined {
  if (!callback) return undefined;
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}
