import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { json } from '../shared/http/handler';
import { internalErrorResponse } from '../shared/http/problem';
import { contextLogger } from '../shared/logging/logger';
import { describeError } from '../shared/errors/describeError';
import { buildOpenApiDocument } from '../shared/openapi/document';

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

/** Anonymous and independent of settings and services: built once from the zod schemas. */
export async function openApiDocument(
  _request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  try {
    document ??= buildOpenApiDocument();
    return json(200, document, { 'Cache-Control': 'public, max-age=300' });
  } catch (error) {
    contextLogger(context).error('openapi document failed', { error: describeError(error) });
    return internalErrorResponse('/api/openapi.json');
  }
}

app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: openApiDocument,
});
