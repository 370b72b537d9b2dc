import { app, type HttpRequest } from '@azure/functions';
import {
  apiHandler,
  invalidInput,
  json,
  readJsonBody,
  readQuery,
  readRouteParam,
} from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { exportIdParamSchema } from '../shared/exports/schemas';
import {
  idempotencyKeySchema,
  runHistoryQuerySchema,
  runIdParamSchema,
  segmentParamSchema,
  startRunRequestSchema,
} from '../shared/runs/schemas';
import { toRunResponse } from '../shared/runs/runView';
import { attachmentDisposition, openSegmentRejections } from '../shared/runs/rejectionDownload';

const RUNNERS = ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'] as const;
/** Rejection reports hold masked emails: not for Runners, which only start runs and read their status. */
const REPORT_READERS = ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer'] as const;

function idempotencyKeyOf(request: HttpRequest): string | undefined {
  const raw = request.headers.get('idempotency-key');
  if (raw === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success) throw invalidInput(parsed.error, 'header', 'Idempotency-Key');
  return parsed.data;
}

export const startRun = apiHandler({
  roles: RUNNERS,
  handler: async (request, { services, principal, logger }) => {
    const exportId = readRouteParam(request, 'id', exportIdParamSchema);
    const idempotencyKey = idempotencyKeyOf(request);
    const body = await readJsonBody(request, startRunRequestSchema);
    const run = await services.runs.startOnDemand(exportId, principal!, {
      dryRun: body.dryRun,
      force: body.force,
      queueBehind: body.queue,
      idempotencyKey,
    });
    logger.info('on-demand run accepted', { exportId, runId: run.id, status: run.status });
    return json(202, toRunResponse(run), { Location: `/api/runs/${run.id}` });
  },
});

export const listRuns = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const exportId = readRouteParam(request, 'id', exportIdParamSchema);
    const { top } = readQuery(request, runHistoryQuerySchema);
    return json(200, { runs: (await services.runs.history(exportId, top)).map(toRunResponse) });
  },
});

export const getRun = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const runId = readRouteParam(request, 'runId', runIdParamSchema);
    return json(200, toRunResponse(await services.runs.view(runId)));
  },
});

export const getSegmentRejections = apiHandler({
  roles: REPORT_READERS,
  handler: async (request, { services }) => {
    const runId = readRouteParam(request, 'runId', runIdParamSchema);
    const segment = readRouteParam(request, 'segment', segmentParamSchema);
    const { fileName, report } = await openSegmentRejections(services, runId, segment);
    return {
      status: 200,
      body: report,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': attachmentDisposition(fileName),
        'Cache-Control': 'no-store',
      },
    };
  },
});

export const cancelRun = apiHandler({
  roles: RUNNERS,
  handler: async (request, { services, principal, logger }) => {
    const runId = readRouteParam(request, 'runId', runIdParamSchema);
    const run = await services.runs.cancel(runId, principal!);
    logger.info('run canceled', { runId, exportId: run.exportId });
    return json(200, toRunResponse(run));
  },
});

app.http('startRun', {
  route: 'exports/{id}/runs',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: startRun,
});
app.http('listRuns', {
  route: 'exports/{id}/runs',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listRuns,
});
app.http('getRun', { route: 'runs/{runId}', methods: ['GET'], authLevel: 'anonymous', handler: getRun });
app.http('getSegmentRejections', {
  route: 'runs/{runId}/segments/{segment}/rejections',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getSegmentRejections,
});
app.http('cancelRun', {
  route: 'runs/{runId}/cancel',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: cancelRun,
});
