import { app, type HttpRequest } from '@azure/functions';
import { apiHandler, json, readJsonBody, readRouteParam } from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { exportIdParamSchema, exportRequestSchema } from '../shared/exports/schemas';

const EDITORS = ['Exports.Admin', 'Exports.Contributor'] as const;

const exportIdOf = (request: HttpRequest): string => readRouteParam(request, 'id', exportIdParamSchema);

export const listExports = apiHandler({
  roles: ROLES,
  handler: async (_request, { services, principal }) =>
    json(200, { exports: await services.exports.list(principal!) }),
});

export const createExport = apiHandler({
  roles: EDITORS,
  handler: async (request, { services, principal, logger }) => {
    const body = await readJsonBody(request, exportRequestSchema);
    const created = await services.exports.create(body, principal!);
    logger.info('export created', { exportId: created.id, connectionId: created.connectionId });
    return json(201, created, { Location: `/api/exports/${created.id}` });
  },
});

export const getExport = apiHandler({
  roles: ROLES,
  handler: async (request, { services, principal }) =>
    json(200, await services.exports.view(exportIdOf(request), principal!)),
});

export const updateExport = apiHandler({
  roles: EDITORS,
  handler: async (request, { services, principal, logger }) => {
    const id = exportIdOf(request);
    const body = await readJsonBody(request, exportRequestSchema);
    const updated = await services.exports.update(id, body, principal!);
    logger.info('export updated', { exportId: id });
    return json(200, updated);
  },
});

export const deleteExport = apiHandler({
  roles: EDITORS,
  handler: async (request, { services, principal, logger }) => {
    const id = exportIdOf(request);
    await services.exports.remove(id, principal!);
    logger.info('export deleted', { exportId: id });
    return { status: 204 };
  },
});

app.http('listExports', { route: 'exports', methods: ['GET'], authLevel: 'anonymous', handler: listExports });
app.http('createExport', {
  route: 'exports',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: createExport,
});
app.http('getExport', {
  route: 'exports/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getExport,
});
app.http('updateExport', {
  route: 'exports/{id}',
  methods: ['PUT'],
  authLevel: 'anonymous',
  handler: updateExport,
});
app.http('deleteExport', {
  route: 'exports/{id}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: deleteExport,
});
