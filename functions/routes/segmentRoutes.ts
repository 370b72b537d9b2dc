import { z } from 'zod';
import { EVERYONE } from '../../shared/auth/roleSets';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { jsonResponse, problem } from '../../shared/openapi/responses';
import { segmentCatalog } from '../../shared/segments/segmentCatalog';
import {
  segmentInfoSchema,
  segmentListSchema,
  segmentNameParamSchema,
  segmentQuerySchema,
} from '../../shared/segments/segmentSchemas';

const storeFailed = problem('The segment store could not be read');

/** Every segment folder with its size (counted once, then cached by ETags). */
export const listSegments = defineRoute({
  name: 'listSegments',
  method: 'GET',
  path: 'segments',
  summary: 'Segments available to export, with sizes and fields',
  roles: EVERYONE,
  request: { query: segmentQuerySchema },
  responses: {
    200: jsonResponse('Segments', segmentListSchema),
    422: problem('Invalid `count`'),
    502: storeFailed,
  },
  handler: async ({ query }, { services, logger }) => {
    const segments = await segmentCatalog(services.segments).list(query);
    logger.info('segments listed', { segments: segments.length });
    return json(200, { segments });
  },
});

/** One segment's size, fields and last change. */
export const getSegment = defineRoute({
  name: 'getSegment',
  method: 'GET',
  path: 'segments/{name}',
  summary: 'One segment',
  roles: EVERYONE,
  request: { params: z.object({ name: segmentNameParamSchema }), query: segmentQuerySchema },
  responses: {
    200: jsonResponse('The segment', segmentInfoSchema),
    404: problem('No such segment'),
    422: problem('Not a segment folder name, or a segment that cannot be used (`code` says why)'),
    502: storeFailed,
  },
  handler: async ({ params, query }, { services }) =>
    json(200, await segmentCatalog(services.segments).describe(params.name, query)),
});

export const segmentRoutes = [listSegments, getSegment];
