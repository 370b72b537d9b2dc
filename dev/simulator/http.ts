import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers; the server turns it into bytes (or a dropped socket). */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  html?: string;
  /** Destroy the socket instead of answering. */
  drop?: boolean;
}

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body passed maxRequestBytes; `body` is then empty. */
  bodyTooLarge: boolean;
}

/** Reads the whole body, keeping at most maxBytes; a larger body is drained and flagged, never buffered. */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ body: Buffer; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length']);
  let tooLarge = Number.isFinite(declared) && declared > maxBytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (tooLarge) continue;
    total += chunk.length;
    if (total > maxBytes) {
      tooLarge = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  return { body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks, total), tooLarge };
}

export function sendResponse(res: ServerResponse, response: SimResponse): void {
  let payload: string;
  let contentType: string;
  if (response.html !== undefined) {
    payload = response.html;
    contentType = 'text/html; charset=utf-8';
  } else if (response.json !== undefined) {
    payload = JSON.stringify(response.json);
    contentType = 'application/json';
  } else {
    payload = '';
    contentType = 'text/plain; charset=utf-8';
  }
  res.writeHead(response.status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(payload)),
    ...response.headers,
  });
  res.end(payload);
}

/** The CRUD API's error body: `{"errors":[{"code","message","field"?}]}`. */
export function apiError(status: number, message: string, field?: string): SimResponse {
  return { status, json: { errors: [{ code: status, message, ...(field ? { field } : {}) }] } };
}

export function isJsonContentType(headers: IncomingMessage['headers']): boolean {
  return /\bjson\b/i.test(headers['content-type'] ?? '');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: SimResponse };

/** Parses a JSON object body (empty allowed when `optional`). */
export function parseJsonObject(request: SimRequest, optional = false): Parsed<Record<string, unknown>> {
  const fail = (message: string): Parsed<never> => ({ ok: false, response: apiError(400, message) });
  if (request.body.length === 0) return optional ? { ok: true, value: {} } : fail('Request body is required');
  if (!isJsonContentType(request.headers))
    return fail('Request body must be JSON (Content-Type: application/json)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    return fail('Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return fail('Request body must be a JSON object');
  return { ok: true, value: parsed as Record<string, unknown> };
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
