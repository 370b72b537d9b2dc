import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { AppConfig } from '../config/config';
import { redact, silentLogger, type Logger } from '../logging/logger';
import type { RequestBudget } from './requestBudget';
import {
  RollWorksError,
  type AccessTokenProvider,
  type CrmAudience,
  type MemberWriteOptions,
  type OAuthTokenGrant,
  type RollWorksApi,
  type RollWorksClient,
  type RollWorksErrorCode,
} from './types';

export type RollWorksClientConfig = Pick<
  AppConfig,
  | 'ROLLWORKS_API_BASE_URL'
  | 'ROLLWORKS_AUTH_BASE_URL'
  | 'ROLLWORKS_CLIENT_ID'
  | 'ROLLWORKS_CLIENT_SECRET'
  | 'ROLLWORKS_MAX_REQUEST_BYTES'
  | 'ROLLWORKS_REQUEST_TIMEOUT_MS'
  | 'ROLLWORKS_RETRY_BUDGET_MS'
>;

export interface RollWorksClientDeps {
  budget: RequestBudget;
  logger?: Logger;
  /** The OAuth client secret (Key Vault `rollworks-client-secret` in Azure); default: the setting. */
  getClientSecret?: () => Promise<string>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Exponential backoff with full jitter: delay = random × min(cap, base × 2^attempt). */
  backoff?: { baseMs: number; capMs: number };
}

interface RequestSpec {
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

const DEFAULT_BACKOFF = { baseMs: 500, capMs: 20_000 };
/** Shortest delay suggested to the caller when the retry budget runs out. */
const MIN_REQUEUE_DELAY_MS = 15_000;
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Printable ASCII without `"` and `\`: written into JSON as is. */
const PLAIN_JSON_SAFE_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function createRollWorksClient(
  config: RollWorksClientConfig,
  deps: RollWorksClientDeps,
): RollWorksClient {
  const logger = deps.logger ?? silentLogger;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const getClientSecret =
    deps.getClientSecret ??
    (async () => {
      if (!config.ROLLWORKS_CLIENT_SECRET) {
        throw new Error('The RollWorks client secret is not configured (secret rollworks-client-secret).');
      }
      return config.ROLLWORKS_CLIENT_SECRET;
    });
  let http: AxiosInstance | undefined;
  const client = (): AxiosInstance =>
    (http ??= axios.create({
      timeout: config.ROLLWORKS_REQUEST_TIMEOUT_MS,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      responseType: 'text',
      transformResponse: (raw: unknown) => raw,
      validateStatus: () => true,
      maxRedirects: 0,
    }));

  async function send(spec: RequestSpec): Promise<unknown> {
    const bytes = spec.body === undefined ? 0 : Buffer.byteLength(spec.body);
    if (bytes > config.ROLLWORKS_MAX_REQUEST_BYTES) {
      throw new RollWorksError(
        'REQUEST_TOO_LARGE',
        `The ${spec.operation} request would be ${bytes} bytes, more than the ${config.ROLLWORKS_MAX_REQUEST_BYTES} bytes allowed (ROLLWORKS_MAX_REQUEST_BYTES); nothing was sent.`,
      );
    }
    const started = now();
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      if (spec.budgeted) await consumeBudget(spec.operation);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
      if (spec.tokens) headers.Authorization = `Bearer ${await spec.tokens.get()}`;
      let failure: RollWorksError;
      try {
        const response = await client().request<string>({
          method: spec.method,
          url: spec.url,
          params: { apikey: config.ROLLWORKS_CLIENT_ID, ...spec.query },
          data: spec.body,
          headers,
          ...(spec.onSent
            ? { transport: notifyingTransport(spec.url, config.ROLLWORKS_REQUEST_TIMEOUT_MS, spec.onSent) }
            : {}),
        });
        const body = parseBody(response.data);
        if (response.status >= 200 && response.status < 300) return body;
        if (response.status === 401 && spec.tokens && !refreshed) {
          refreshed = true;
          logger.info('rollworks access token rejected; refreshing once', { operation: spec.operation });
          await spec.tokens.refresh();
          continue;
        }
        failure = errorFromResponse(spec, response.status, body, response.headers['retry-after'], refreshed);
        if (!failure.retryable) throw failure;
        if (!spec.idempotent && response.status >= 500) throw withOutcomeUnknown(failure);
      } catch (error) {
        if (error instanceof RollWorksError) throw error;
        if (!axios.isAxiosError(error)) throw error;
        failure = networkError(spec, error.code);
        if (!spec.idempotent && failure.details.outcomeUnknown) throw failure;
      }
      attempt += 1;
      const delay =
        failure.details.retryAfterMs ??
        Math.round(random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt));
      if (now() - started + delay > config.ROLLWORKS_RETRY_BUDGET_MS) {
        logger.warn('rollworks retries exhausted for now', {
          operation: spec.operation,
          code: failure.code,
          attempts: attempt,
        });
        throw new RollWorksError(
          failure.code,
          `${failure.message} (still failing after ${attempt} attempts)`,
          {
            ...failure.details,
            retryAfterMs: Math.max(delay, MIN_REQUEUE_DELAY_MS),
          },
        );
      }
      logger.warn('rollworks call failed; retrying', {
        operation: spec.operation,
        code: failure.code,
        status: failure.details.status,
        attempt,
        delayMs: delay,
      });
      await sleep(delay);
    }
  }

  async function consumeBudget(operation: string): Promise<void> {
    const decision = await deps.budget.tryConsume(1);
    if (decision.ok) return;
    logger.warn('rollworks daily request budget exhausted', {
      operation,
      resetsAt: decision.resetsAt.toISOString(),
    });
    throw new RollWorksError(
      'DAILY_BUDGET_EXHAUSTED',
      `The daily RollWorks request budget is used up; it resets at ${decision.resetsAt.toISOString()}.`,
      { resetsAt: decision.resetsAt, retryAfterMs: Math.max(0, decision.resetsAt.getTime() - now()) },
    );
  }

  async function tokenRequest(operation: string, form: Record<string, string>): Promise<OAuthTokenGrant> {
    const body = new URLSearchParams({
      ...form,
      client_id: config.ROLLWORKS_CLIENT_ID,
      client_secret: await getClientSecret(),
    }).toString();
    const data = await send({
      operation,
      method: 'POST',
      url: `${config.ROLLWORKS_AUTH_BASE_URL}/auth/token`,
      body,
      contentType: 'application/x-www-form-urlencoded',
      idempotent: false,
      budgeted: false,
    });
    const grant = data as Record<string, unknown> | undefined;
    if (typeof grant?.access_token !== 'string' || typeof grant.refresh_token !== 'string') {
      throw new RollWorksError(
        'SERVER_ERROR',
        'The RollWorks token response has no access or refresh token.',
      );
    }
    return {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token,
      expiresInSeconds: Number(grant.expires_in) || 86_400,
      scope: typeof grant.scope === 'string' ? grant.scope : 'all',
    };
  }

  const api = (path: string) => `${config.ROLLWORKS_API_BASE_URL}${path}`;
  const segmentPath = (segmentId: string) => api(`/audience/v1/segments/${encodeURIComponent(segmentId)}`);

  return {
    auth: {
      authorizeUrl(state, redirectUri) {
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: config.ROLLWORKS_CLIENT_ID,
          redirect_uri: redirectUri,
          state,
          scope: 'all',
        });
        return `${config.ROLLWORKS_AUTH_BASE_URL}/auth/authorize?${query.toString()}`;
      },
      exchangeCode: (code, redirectUri) =>
        tokenRequest('exchangeCode', { grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      refresh: (refreshToken) =>
        tokenRequest('refreshToken', { grant_type: 'refresh_token', refresh_token: refreshToken }),
    },

    forConnection(tokens): RollWorksApi {
      const call = (spec: Omit<RequestSpec, 'tokens' | 'budgeted'>) =>
        send({ ...spec, tokens, budgeted: true });
      const listAdvertisers = async () => {
        const data = await call({
          operation: 'listAdvertisers',
          method: 'GET',
          url: api('/audience/v1/advertisers'),
          idempotent: true,
        });
        const list = field(data, 'data');
        return (Array.isArray(list) ? list : [])
          .map((item) => ({ eid: String(field(item, 'advertiser_id') ?? ''), name: field(item, 'name') }))
          .filter((item) => item.eid !== '')
          .map(({ eid, name }) => ({ eid, name: typeof name === 'string' && name ? name : eid }));
      };
      return {
        async getOrganization() {
          const data = await call({
            operation: 'getOrganization',
            method: 'GET',
            url: api('/api/v1/organization/get'),
            idempotent: true,
          });
          return eidAndName(field(data, 'results'));
        },
        listAdvertisers,
        async listAdvertiserIds() {
          return (await listAdvertisers()).map((advertiser) => advertiser.eid);
        },
        async getAdvertisable(eid) {
          const data = await call({
            operation: 'getAdvertisable',
            method: 'GET',
            url: api('/api/v1/advertisable/get'),
            query: { advertisable: eid },
            idempotent: true,
          });
          return eidAndName(field(data, 'results'));
        },
        async createCrmAudience(advertiserId, name, emails, options?: MemberWriteOptions) {
          const body = membersRequestBody(
            `{"advertiser_id":${JSON.stringify(advertiserId)},"name":${JSON.stringify(name)},"type":"crm","data":`,
            emails,
            '}',
          );
          const data = await call({
            operation: 'createAudience',
            method: 'POST',
            url: api('/audience/v1/segments'),
            body,
            idempotent: false,
            onSent: once(options?.onRequestSent),
          });
          return toAudience(field(data, 'segment') ?? data);
        },
        async replaceCrmAudience(segmentId, name, emails, options?: MemberWriteOptions) {
          const body = membersRequestBody(`{"name":${JSON.stringify(name)},"data":`, emails, '}');
          const data = await call({
            operation: 'replaceAudience',
            method: 'POST',
            url: segmentPath(segmentId),
            body,
            idempotent: true,
            onSent: once(options?.onRequestSent),
          });
          const audience = toAudience(field(data, 'segment') ?? data);
          return { ...audience, segmentId: audience.segmentId || segmentId };
        },
        async getAudience(segmentId) {
          const data = await call({
            operation: 'getAudience',
            method: 'GET',
            url: segmentPath(segmentId),
            idempotent: true,
          });
          return toAudience(field(data, 'segment') ?? field(data, 'results') ?? data);
        },
        async listCrmAudiences(advertiserId) {
          const data = await call({
            operation: 'listAudiences',
            method: 'GET',
            url: api('/audience/v1/segments'),
            query: { advertiser_id: advertiserId, type: 'crm' },
            idempotent: true,
          });
          const list = field(data, 'segments') ?? field(data, 'results') ?? field(data, 'data');
          return Array.isArray(list) ? list.map(toAudience) : [];
        },
        async deleteAudience(segmentId) {
          await call({
            operation: 'deleteAudience',
            method: 'DELETE',
            url: segmentPath(segmentId),
            idempotent: true,
          });
        },
      };
    },
  };
}

/** `{"email":"` */
const RECORD_OPEN = [0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22];

/**
 * `<prefix>[{"email":"…"},…]<suffix>` written straight into one buffer (250,000 members ≈ 11 MB):
 * no intermediate strings, no JSON.stringify of 250,000 objects, one native copy per value. Values
 * that would need escaping (never the case for validated addresses or digests) fall back to
 * JSON.stringify.
 */
export function membersRequestBody(prefix: string, emails: readonly string[], suffix: string): Buffer {
  let length = Buffer.byteLength(prefix) + Buffer.byteLength(suffix) + 2 + Math.max(0, emails.length - 1);
  for (let i = 0; i < emails.length; i++) length += emails[i].length + 12; // {"email":""}
  const body = Buffer.allocUnsafe(length);
  let offset = body.write(prefix, 0, 'utf8');
  body[offset++] = 0x5b; // [
  for (let i = 0; i < emails.length; i++) {
    const email = emails[i];
    if (!PLAIN_JSON_SAFE_ASCII.test(email)) {
      return Buffer.from(`${prefix}${JSON.stringify(emails.map((value) => ({ email: value })))}${suffix}`);
    }
    if (i > 0) body[offset++] = 0x2c; // ,
    for (let k = 0; k < RECORD_OPEN.length; k++) body[offset + k] = RECORD_OPEN[k];
    offset += RECORD_OPEN.length;
    offset += body.write(email, offset, 'latin1');
    body[offset++] = 0x22; // "
    body[offset++] = 0x7d; // }
  }
  body[offset++] = 0x5d; // ]
  body.write(suffix, offset, 'utf8');
  return body;
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

function once(callback: (() => void) | undefined): (() => void) | undefined {
  if (!callback) return undefined;
  let called = false;
  return () => {
    if (called) return;
    called = true;
    callback();
  };
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

function eidAndName(value: unknown): { eid: string; name: string } {
  return { eid: String(field(value, 'eid') ?? ''), name: String(field(value, 'name') ?? '') };
}

function toAudience(value: unknown): CrmAudience {
  return {
    segmentId: String(field(value, 'segment_id') ?? field(value, 'id') ?? ''),
    name: String(field(value, 'name') ?? ''),
    type: String(field(value, 'type') ?? 'crm'),
    emails: Number(field(value, 'emails') ?? field(value, 'size') ?? 0) || 0,
  };
}

/** A short, redacted description of whatever error body came back (JSON or not). */
function describeErrorBody(body: unknown): string {
  let text: string | undefined;
  const errors = field(body, 'errors');
  if (Array.isArray(errors) && errors.length > 0) {
    text = errors
      .map((e) => [field(e, 'field'), field(e, 'message')].filter((part) => part !== undefined).join(': '))
      .join('; ');
  }
  text ??= [field(body, 'error'), field(body, 'error_description')]
    .filter((p) => typeof p === 'string')
    .join(': ');
  if (!text) {
    const message = field(body, 'message');
    text = typeof message === 'string' ? message : typeof body === 'string' ? body : '';
  }
  text = redact(text.replace(/\s+/g, ' ').trim());
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function errorFromResponse(
  spec: RequestSpec,
  status: number,
  body: unknown,
  retryAfterHeader: unknown,
  refreshed: boolean,
): RollWorksError {
  const detail = describeErrorBody(body);
  let code: RollWorksErrorCode;
  if (status === 429) code = 'RATE_LIMITED';
  else if (status >= 500) code = 'SERVER_ERROR';
  else if (status === 401) code = 'UNAUTHORIZED';
  else if (status === 403) code = 'FORBIDDEN';
  else if (status === 404) code = 'NOT_FOUND';
  else if (status === 413) code = 'REQUEST_TOO_LARGE';
  else if (field(body, 'error') === 'invalid_grant') code = 'INVALID_GRANT';
  else code = 'BAD_REQUEST';
  const hint = status === 401 && refreshed ? ' even after a token refresh' : '';
  const message = `RollWorks ${spec.operation} failed with HTTP ${status}${hint}${detail ? `: ${detail}` : ''}`;
  return new RollWorksError(code, message, { status, retryAfterMs: parseRetryAfter(retryAfterHeader) });
}

function networkError(spec: RequestSpec, code: string | undefined): RollWorksError {
  const sent = !NOT_SENT_CODES.has(code ?? '');
  return new RollWorksError(
    'NETWORK',
    `RollWorks ${spec.operation} failed: ${code === 'ECONNABORTED' ? 'timed out' : `connection error ${code ?? 'unknown'}`}`,
    { outcomeUnknown: sent && spec.method !== 'GET' },
  );
}

function withOutcomeUnknown(error: RollWorksError): RollWorksError {
  return new RollWorksError(error.code, error.message, { ...error.details, outcomeUnknown: true });
}

export function parseRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
