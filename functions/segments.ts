import { app } from '@azure/functions';
import { apiHandler, json, readQuery, readRouteParam } from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { segmentCatalog } from '../shared/segments/segmentCatalog';
import { segmentNameParamSchema, segmentQuerySchema } from '../shared/segments/segmentSchemas';

/** GET /api/segments: every segment folder with its size (counted once, then cached by ETags). */
export const listSegments = apiHandler({
  roles: ROLES,
  handler: async (request, { services, logger }) => {
    const { count } = readQuery(request, segmentQuerySchema);
    const segments = await segmentCatalog(services.segments).list({ count });
    logger.info('segments listed', { segments: segments.length });
    return json(200, { segments });
  },
});

/** GET /api/segments/{name}: one segment's size, fields and last change. */
export const getSegment = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const name = readRouteParam(request, 'name', segmentNameParamSchema);
    const { count } = readQuery(request, segmentQuerySchema);
    return json(200, await segmentCatalog(services.segments).describe(name, { count }));
  },
});

app.http('segmentsList', {
  route: 'segments',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listSegments,
});

app.http('segmentsGet', {
  route: 'segments/{name}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getSegment,
});
