import { z } from 'zod';
import { json } from '../../shared/http/handler';
import { defineRoute, type Route } from '../../shared/http/route';
import { buildOpenApiDocument } from '../../shared/openapi/document';
import { jsonResponse } from '../../shared/openapi/responses';

/** These routes read no input: only the Functions host itself refuses a request to them. */
const refusedByHost = {
  description: 'Refused by the Functions host before the app runs, e.g. a request body over its limit',
};

export const getHealth = defineRoute({
  name: 'getHealth',
  method: 'GET',
  path: 'health',
  summary: 'Liveness: the app is up and its settings are valid',
  roles: 'anonymous',
  responses: { 200: jsonResponse('Up', z.object({ status: z.literal('ok') })), '4XX': refusedByHost },
  handler: async (_input, { services }) => {
    void services.config; // invalid settings answer 500 here too, not only on the first real call
    return json(200, { status: 'ok' });
  },
});

/** Anonymous and independent of settings and services: built once per instance from the route table. */
export function openApiRoute(routes: () => readonly Route[]) {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return defineRoute({
    name: 'getOpenApiDocument',
    method: 'GET',
    path: 'openapi.json',
    summary: 'This OpenAPI document',
    roles: 'anonymous',
    responses: {
      200: jsonResponse('OpenAPI 3.1 document', z.object({}).loose()),
      '4XX': refusedByHost,
    },
    handler: async () => {
      document ??= buildOpenApiDocument(routes());
      return json(200, document, { 'Cache-Control': 'public, max-age=300' });
    },
  });
}
