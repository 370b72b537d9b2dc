import { redact } from '../../shared/logging/logger';

/** An `application/problem+json` body as the API returns it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A response the demo did not expect; its message names the call and the problem detail. */
export class ApiCallError extends Error {
  constructor(
    readonly call: string,
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(
      `${call} answered ${status}${problem?.detail || problem?.title ? `: ${redact(problem.detail ?? problem.title ?? '')}` : ''}`,
    );
    this.name = 'ApiCallError';
  }
}

/** Calls the app's HTTP API with a bearer token. */
export function apiClient(apiBaseUrl: string, token: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(`${apiBaseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { detail: text.slice(0, 300) };
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** The body of a call that must answer `expected`; anything else throws ApiCallError. */
  async function expect<T>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await call<T>(method, path, body);
    if (response.status !== expected) {
      throw new ApiCallError(`${method} /api${path}`, response.status, response.body as Problem | undefined);
    }
    return response.body;
  }

  return { call, expect };
}

export type ApiClient = ReturnType<typeof apiClient>;
