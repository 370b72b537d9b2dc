import type { HttpRequest } from '@azure/functions';
import { InvalidError, TooLargeError, UnsupportedMediaError } from '../errors/domainErrors';
import type { TextBody, TextBodySpec, TextMediaType } from './route';

/**
 * A text body as the route declares it: the media type checked (415), the declared size checked up
 * front and the streamed size as it arrives (413), the bytes decoded as UTF-8 a chunk at a time.
 * Nothing is read until the handler iterates `chunks`, so a 404 for the path costs no upload.
 */
export function readTextBody(request: HttpRequest, spec: TextBodySpec, maxBytes: number): TextBody {
  const [type, ...parameters] = (request.headers.get('content-type') ?? '').split(';');
  const mediaType = type.trim().toLowerCase();
  const length = request.headers.get('content-length');
  const hasBody = Number(length ?? 0) > 0 || (length === null && request.headers.has('transfer-encoding'));
  if (!hasBody) {
    throw new InvalidError('The request body is empty: send one email or digest per line.', {
      code: 'BODY_EMPTY',
      field: '(body)',
    });
  }
  const charset = parameters
    .map((parameter) => parameter.trim().toLowerCase())
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  const supported = (spec.mediaTypes as readonly string[]).includes(mediaType);
  if (!supported || (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset))) {
    throw new UnsupportedMediaError(
      `The request body must be ${spec.mediaTypes.join(' or ')} in UTF-8` +
        `${mediaType ? `, not ${mediaType}${charset ? `; charset=${charset}` : ''}` : ' (no Content-Type was given)'}.`,
      { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' },
    );
  }
  if (Number(length ?? 0) > maxBytes) throw tooLarge(maxBytes);
  return { mediaType: mediaType as TextMediaType, chunks: decodeChunks(request, maxBytes) };
}

async function* decodeChunks(request: HttpRequest, maxBytes: number): AsyncGenerator<string> {
  if (!request.body) return;
  const decoder = new TextDecoder('utf-8');
  let size = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

const tooLarge = (maxBytes: number) =>
  new TooLargeError(`The request body is larger than ${maxBytes} bytes.`, {
    code: 'BODY_TOO_LARGE',
    field: '(body)',
  });
