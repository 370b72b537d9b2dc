import type { HttpResponseInit } from '@azure/functions';

/** The members of an RFC 9457 `application/problem+json` body, and the response headers that go with it. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** Stable machine-readable code, e.g. SEGMENT_TOO_SMALL. */
  code?: string;
  /** The request field (dotted path) at fault. */
  field?: string;
  errors?: { field: string; message: string }[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

export function problemResponse(problem: Problem, instance?: string): HttpResponseInit {
  const { status, title, detail, code, field, errors, headers, extra } = problem;
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    jsonBody: {
      type: `https://github.com/rollworks-export/rollworks-export#${code ?? status}`,
      title,
      status,
      detail,
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
    {
      status: 500,
      title: 'Internal error',
      detail: 'The request failed unexpectedly; it can be retried.',
      code: 'INTERNAL',
    },
    instance,
  );
}
