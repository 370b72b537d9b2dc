import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import {
  InvalidError,
  MalformedError,
  TooLargeError,
  UnsupportedMediaError,
  type DomainError,
  type FieldError,
} from '../errors/domainErrors';
import type { AppConfig } from '../config/config';
import type { RouteInput, RouteRequest } from './route';
import { readTextBody } from './textBody';

/** Far above any request this API takes; the host's own limit (100 MB) would be read into memory whole. */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Reads what a route declares, in this order: route parameters, headers, query string, JSON body (or
 * a streamed text body, read as the handler iterates it). Each part that fails its schema is a 422
 * naming every field at fault. `config` is read only for a text body's size limit.
 */
export async function readInput<R extends RouteRequest>(
  request: HttpRequest,
  spec: R,
  config: () => AppConfig,
): Promise<RouteInput<R>> {
  const headers = (names: string[]) =>
    Object.fromEntries(names.map((name) => [name, request.headers.get(name) ?? undefined]));
  return {
    params: spec.params && parse(spec.params, request.params, 'path'),
    headers: spec.headers && parse(spec.headers, headers(Object.keys(spec.headers.shape)), 'header'),
    query: spec.query && parse(spec.query, singleValued(request.query), 'query string'),
    body: spec.body
      ? await readJsonBody(request, spec.body)
      : spec.textBody && readTextBody(request, spec.textBody, config()[spec.textBody.maxBytesSetting]),
  } as RouteInput<R>;
}

/** A parameter given twice is refused rather than one of its values picked (`state=forged&state=<valid>`). */
function singleValued(query: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of query) {
    if (Object.hasOwn(values, name)) {
      throw new InvalidError(`The query string is invalid: ${name}: is given more than once`, {
        code: 'VALIDATION_FAILED',
        field: name,
        errors: [{ field: name, message: 'is given more than once' }],
      });
    }
    values[name] = value;
  }
  return values;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error, where);
  return parsed.data;
}

const WHOLE_PART: Record<string, string> = { path: '(path)', header: '(headers)', 'query string': '(query)' };

/** 422 naming each field a request body, query, route parameter or header failed validation on. */
function invalidInput(error: z.ZodError, where = 'request body'): DomainError {
  const errors: FieldError[] = error.issues.map((issue) => ({
    field:
      issue.path.join('.') ||
      (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : (WHOLE_PART[where] ?? '(body)')),
    message: issue.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new InvalidError(`The ${where} is invalid: ${detail}`, {
    code: 'VALIDATION_FAILED',
    field: errors[0]?.field,
    errors,
  });
}

/** Reads and validates a JSON body: 400 when it is not JSON, 413 when too large, 422 naming each field at fault. */
async function readJsonBody<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<z.infer<S>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const hasBody =
    Number(request.headers.get('content-length') ?? 0) > 0 || request.headers.has('transfer-encoding');
  if (hasBody && !/^application\/(?:[\w.+-]+\+)?json$/.test(type)) {
    throw new UnsupportedMediaError(
      `The request body must be application/json${type ? `, not ${type}` : ' (no Content-Type was given)'}.`,
      { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' },
    );
  }
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new MalformedError('The request body is not valid JSON.', {
      code: 'INVALID_JSON',
      field: '(body)',
    });
  }
  return parse(schema, value, 'request body');
}

async function readBodyText(request: HttpRequest, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new TooLargeError(`The request body is larger than ${maxBytes} bytes.`, {
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
