import { z } from 'zod';
import { EDITORS, EVERYONE } from '../../shared/auth/roleSets';
import {
  exportIdParamSchema,
  exportListResponseSchema,
  exportRequestSchema,
  exportResponseSchema,
} from '../../shared/exports/schemas';
import { discontinueQuerySchema, discontinuedResponseSchema } from '../../shared/discontinue/schemas';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { jsonResponse, problem } from '../../shared/openapi/responses';

export const exportParams = z.object({ id: exportIdParamSchema.describe('Export id.') });
const notFound = problem('No such export');
const notShared = problem('Connection not shared with contributors');
const unavailable = problem('RollWorks could not be asked about the advertiser; `Retry-After` says when');

export const listExports = defineRoute({
  name: 'listExports',
  method: 'GET',
  path: 'exports',
  summary: 'List exports',
  roles: EVERYONE,
  responses: { 200: jsonResponse('Exports', exportListResponseSchema) },
  handler: async (_input, { services, principal }) =>
    json(200, { exports: await services.exports.list(principal!) }),
});

export const createExport = defineRoute({
  name: 'createExport',
  method: 'POST',
  path: 'exports',
  summary: 'Configure an export (saving never runs it)',
  roles: EDITORS,
  request: { body: exportRequestSchema },
  responses: {
    201: jsonResponse('Created', exportResponseSchema),
    403: notShared,
    422: problem('A validation rule failed; `field` names the field'),
    503: unavailable,
  },
  handler: async ({ body }, { services, principal, logger }) => {
    const created = await services.exports.create(body, principal!);
    logger.info('export created', { exportId: created.id, connectionId: created.connectionId });
    return json(201, created, { Location: `/api/exports/${created.id}` });
  },
});

export const getExport = defineRoute({
  name: 'getExport',
  method: 'GET',
  path: 'exports/{id}',
  summary: 'One export',
  roles: EVERYONE,
  request: { params: exportParams },
  responses: {
    200: jsonResponse('The export', exportResponseSchema),
    404: notFound,
    422: problem('Not an export id'),
  },
  handler: async ({ params }, { services, principal }) => {
    const view = await services.exports.view(params.id, principal!);
    return json(200, { ...view, matchHistory: await services.matchReports.history(params.id) });
  },
});

export const updateExport = defineRoute({
  name: 'updateExport',
  method: 'PUT',
  path: 'exports/{id}',
  summary: 'Change an export (same checks as create); segments it drops are discontinued',
  roles: EDITORS,
  request: { params: exportParams, query: discontinueQuerySchema, body: exportRequestSchema },
  responses: {
    200: jsonResponse('Updated', exportResponseSchema),
    403: notShared,
    404: notFound,
    409: problem('Changed by someone else meanwhile, or the dropped audiences cannot be deactivated now'),
    422: problem('A validation rule failed, or the destination cannot deactivate audiences'),
    503: unavailable,
  },
  handler: async ({ params, query, body }, { services, principal, logger }) => {
    const updated = await services.exports.update(params.id, body, principal!, {
      audiences: query.audiences,
      logger,
    });
    logger.info('export updated', { exportId: params.id });
    return json(200, updated);
  },
});

export const deleteExport = defineRoute({
  name: 'deleteExport',
  method: 'DELETE',
  path: 'exports/{id}',
  summary: 'Delete an export: its audiences kept (default) or deactivated, its snapshots and reports deleted',
  roles: EDITORS,
  request: { params: exportParams, query: discontinueQuerySchema },
  responses: {
    202: {
      ...jsonResponse(
        'Deleted; the audiences are deactivated from a queue (poll `Location`)',
        discontinuedResponseSchema,
      ),
      headers: z.object({ Location: z.string().describe('/api/exports/{id}/discontinued') }),
    },
    204: { description: 'Deleted; its audiences stay active at RollWorks' },
    403: notShared,
    404: notFound,
    409: problem(
      'The audiences cannot be deactivated now (connection deleted or not ready); nothing was deleted',
    ),
    422: problem('The destination cannot deactivate audiences; nothing was deleted'),
  },
  handler: async ({ params, query }, { services, principal, logger }) => {
    const audiences = await services.exports.remove(params.id, principal!, {
      audiences: query.audiences,
      logger,
    });
    logger.info('export deleted', { exportId: params.id, audiences: query.audiences });
    if (query.audiences === 'keep') return { status: 204 };
    return json(
      202,
      { exportId: params.id, exportExists: false, audiences },
      { Location: `/api/exports/${params.id}/discontinued` },
    );
  },
});

export const getDiscontinued = defineRoute({
  name: 'getDiscontinued',
  method: 'GET',
  path: 'exports/{id}/discontinued',
  summary: 'What became of the audiences of the export, or of segments removed from it',
  roles: EVERYONE,
  request: { params: exportParams },
  responses: {
    200: jsonResponse('One row per removed segment, newest first', discontinuedResponseSchema),
    404: problem('No such export, and nothing of it was discontinued'),
    422: problem('Not an export id'),
  },
  handler: async ({ params }, { services }) => {
    const exportExists = (await services.exports.get(params.id)) !== null;
    return json(200, await services.discontinue.report(params.id, exportExists));
  },
});

export const exportRoutes = [
  listExports,
  createExport,
  getExport,
  updateExport,
  deleteExport,
  getDiscontinued,
];
