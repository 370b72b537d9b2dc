import { app } from '@azure/functions';
import { apiHandler, json, readQuery, readRouteParam } from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { notFound, ProblemError, unprocessable } from '../shared/http/problem';
import { SegmentSourceError } from '../shared/segments/segmentSource';
import { segmentNameParamSchema, segmentQuerySchema } from '../shared/segments/segmentSchemas';

/** Segment errors as problem responses naming the segment. */
function segmentProblem(error: SegmentSourceError): ProblemError {
  switch (error.code) {
    case 'SEGMENT_NOT_FOUND':
      return notFound(error.message, { code: error.code, field: 'name' });
    case 'SEGMENT_READ_FAILED':
      return new ProblemError(502, 'Segment store unavailable', error.message, { code: error.code });
    default:
      return unprocessable(error.message, { code: error.code, field: 'name' });
  }
}

/** GET /api/segments: every segment folder with its size (counted once, then cached by ETags). */
export const listSegments = apiHandler({
  roles: ROLES,
  handler: async (request, { services, logger }) => {
    const { count } = readQuery(request, segmentQuerySchema);
    try {
      const segments = await services.segments.list({ count });
      logger.info('segments listed', { segments: segments.length });
      return json(200, { segments });
    } catch (error) {
      if (error instanceof SegmentSourceError) throw segmentProblem(error);
      throw error;
    }
  },
});

/** GET /api/segments/{name}: one segment's size, fields and last change. */
export const getSegment = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const name = readRouteParam(request, 'name', segmentNameParamSchema);
    const { count } = readQuery(request, segmentQuerySchema);
    try {
      return json(200, await services.segments.describe(name, { count }));
    } catch (error) {
      if (error instanceof SegmentSourceError) throw segmentProblem(error);
      throw error;
    }
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
