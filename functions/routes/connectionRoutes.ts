import { z } from 'zod';
import { ADMINS, EDITORS } from '../../shared/auth/roleSets';
import {
  CALLBACK_PAGE_HEADERS,
  renderCallbackErrorPage,
  renderCallbackPage,
} from '../../shared/connections/callbackPage';
import {
  authorizeResponseSchema,
  connectionSchema,
  connectionSummarySchema,
  createConnectionSchema,
  deleteConnectionQuerySchema,
  oauthCallbackQuerySchema,
  patchConnectionSchema,
} from '../../shared/connections/schemas';
import { listConnectionAdvertisers as listAdvertisers } from '../../shared/connections/advertiserList';
import { advertiserListSchema } from '../../shared/connections/advertiserSchemas';
import { describeError } from '../../shared/errors/describeError';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { identityOf } from '../../shared/model/identity';
import { jsonResponse, problem, textResponse } from '../../shared/openapi/responses';

/** Any value: one that is not a connection id names no connection (404, like an unknown one). */
const params = z.object({ id: z.string().describe('Connection id (a UUID).') });
const connectionView = z.union([connectionSchema, connectionSummarySchema]);
const notFound = problem('No such connection');

export const createConnection = defineRoute({
  name: 'createConnection',
  method: 'POST',
  path: 'connections',
  summary: 'Add a RollWorks connection',
  roles: ADMINS,
  request: { body: createConnectionSchema },
  responses: { 201: jsonResponse('Created', connectionSchema), 422: problem('Invalid') },
  handler: async ({ body }, { services, principal, logger }) => {
    const connection = await services.connections.create(body, identityOf(principal!), logger);
    return json(201, connection, { Location: `/api/connections/${connection.id}` });
  },
});

export const listConnections = defineRoute({
  name: 'listConnections',
  method: 'GET',
  path: 'connections',
  summary: 'List connections (contributors: shared ones, summary only)',
  roles: EDITORS,
  responses: { 200: jsonResponse('Connections', z.object({ connections: z.array(connectionView) })) },
  handler: async (_input, { services, principal }) =>
    json(200, { connections: await services.connections.listFor(principal!) }),
});

export const getConnection = defineRoute({
  name: 'getConnection',
  method: 'GET',
  path: 'connections/{id}',
  summary: 'One connection',
  roles: EDITORS,
  request: { params },
  responses: { 200: jsonResponse('The connection', connectionView), 404: notFound },
  handler: async ({ params }, { services, principal }) =>
    json(200, await services.connections.getFor(principal!, params.id)),
});

export const updateConnection = defineRoute({
  name: 'updateConnection',
  method: 'PATCH',
  path: 'connections/{id}',
  summary: 'Change display name, access or profile limit',
  roles: ADMINS,
  request: { params, body: patchConnectionSchema },
  responses: { 200: jsonResponse('Updated', connectionSchema), 404: notFound, 422: problem('Invalid') },
  handler: async ({ params, body }, { services }) =>
    json(200, await services.connections.update(params.id, body)),
});

export const deleteConnection = defineRoute({
  name: 'deleteConnection',
  method: 'DELETE',
  path: 'connections/{id}',
  summary: 'Delete a connection and its secrets',
  roles: ADMINS,
  request: { params, query: deleteConnectionQuerySchema },
  responses: {
    204: { description: 'Deleted' },
    404: notFound,
    409: problem('Exports use it'),
    422: problem('Invalid `exports`'),
  },
  handler: async ({ params, query }, { services, logger }) => {
    await services.connections.remove(params.id, query, logger);
    return { status: 204 };
  },
});

export const startAuthorization = defineRoute({
  name: 'startAuthorization',
  method: 'POST',
  path: 'connections/{id}/authorize',
  summary: 'Start the RollWorks sign-in',
  roles: ADMINS,
  request: { params },
  responses: { 200: jsonResponse('Sign-in link', authorizeResponseSchema), 404: notFound },
  handler: async ({ params }, { services, principal, logger }) => {
    const link = await services.connections.startAuthorization(params.id, identityOf(principal!), logger);
    return json(200, link, { 'Cache-Control': 'no-store' });
  },
});

export const setExportUser = defineRoute({
  name: 'setExportUser',
  method: 'POST',
  path: 'connections/{id}/export-user',
  summary: 'Add yourself as the export user',
  roles: ADMINS,
  request: { params },
  responses: { 200: jsonResponse('Updated', connectionSchema), 404: notFound },
  handler: async ({ params }, { services, principal, logger }) =>
    json(200, await services.connections.setExportUser(params.id, identityOf(principal!), logger)),
});

/** For the console's Add export form: the connection's advertisers and segment size limits. */
export const listConnectionAdvertisers = defineRoute({
  name: 'listConnectionAdvertisers',
  method: 'GET',
  path: 'connections/{id}/advertisers',
  summary: "Advertisers the connection's RollWorks user reaches, and the segment sizes it takes",
  roles: EDITORS,
  request: { params },
  responses: {
    200: jsonResponse('Advertisers and limits', advertiserListSchema),
    404: problem('No such connection (contributors: none shared)'),
    422: problem('Not signed in to RollWorks, or RollWorks refused its token'),
    503: problem('RollWorks unavailable'),
  },
  handler: async ({ params }, { services, principal }) =>
    json(200, await listAdvertisers(services, principal!, params.id)),
});

/** Where RollWorks sends the browser back after sign-in. Anonymous: the single-use `state` is the proof. */
export const completeAuthorization = defineRoute({
  name: 'completeAuthorization',
  method: 'GET',
  path: 'oauth/rollworks/callback',
  summary: 'RollWorks OAuth redirect target (HTML page)',
  roles: 'anonymous',
  request: { query: oauthCallbackQuerySchema },
  responses: {
    200: textResponse('Authorized', 'text/html'),
    400: textResponse('Not authorized', 'text/html'),
  },
  handler: async ({ query }, { services, logger }) => {
    let page: { status: number; html: string };
    try {
      page = renderCallbackPage(await services.connections.completeAuthorization(query, logger));
    } catch (error) {
      logger.error('oauth callback failed', { error: describeError(error) });
      page = renderCallbackErrorPage();
    }
    return { status: page.status, headers: CALLBACK_PAGE_HEADERS, body: page.html };
  },
  refuse: (error) => {
    const page = renderCallbackPage({ ok: false, code: 'REQUEST_INVALID', message: error.message });
    return { status: page.status, headers: CALLBACK_PAGE_HEADERS, body: page.html };
  },
});

export const connectionRoutes = [
  createConnection,
  listConnections,
  getConnection,
  updateConnection,
  deleteConnection,
  startAuthorization,
  setExportUser,
  listConnectionAdvertisers,
  completeAuthorization,
];
