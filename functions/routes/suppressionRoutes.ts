import { z } from 'zod';
import { ADMINS } from '../../shared/auth/roleSets';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { identityOf } from '../../shared/model/identity';
import { jsonResponse, problem } from '../../shared/openapi/responses';
import {
  suppressionInfoSchema,
  suppressionQuerySchema,
  suppressionReplacedSchema,
} from '../../shared/suppressions/schemas';

const params = z.object({ id: z.string().describe('Connection id (a UUID).') });
const notFound = problem('No such connection');

export const replaceSuppressions = defineRoute({
  name: 'replaceSuppressions',
  method: 'PUT',
  path: 'connections/{id}/suppressions',
  summary: "Replace the connection's suppression list (one email or digest per line, or a CSV column)",
  roles: ADMINS,
  request: {
    params,
    query: suppressionQuerySchema,
    textBody: {
      mediaTypes: ['text/plain', 'text/csv'],
      maxBytesSetting: 'SUPPRESSION_MAX_BYTES',
    },
  },
  responses: {
    200: jsonResponse('Replaced', suppressionReplacedSchema),
    404: notFound,
    422: problem('Empty, no valid value, or `column` missing or unknown'),
  },
  handler: async ({ params, query, body }, { services, principal, logger }) =>
    json(
      200,
      await services.suppressions.replace(params.id, body, query.column, identityOf(principal!), logger),
    ),
});

export const getSuppressions = defineRoute({
  name: 'getSuppressions',
  method: 'GET',
  path: 'connections/{id}/suppressions',
  summary: "The connection's suppression list: size, when and by whom it was replaced",
  roles: ADMINS,
  request: { params },
  responses: { 200: jsonResponse('The list', suppressionInfoSchema), 404: notFound },
  handler: async ({ params }, { services }) => json(200, await services.suppressions.get(params.id)),
});

export const clearSuppressions = defineRoute({
  name: 'clearSuppressions',
  method: 'DELETE',
  path: 'connections/{id}/suppressions',
  summary: "Clear the connection's suppression list",
  roles: ADMINS,
  request: { params },
  responses: { 204: { description: 'Cleared' }, 404: notFound },
  handler: async ({ params }, { services, logger }) => {
    await services.suppressions.clear(params.id, logger);
    return { status: 204 };
  },
});

export const suppressionRoutes = [replaceSuppressions, getSuppressions, clearSuppressions];
