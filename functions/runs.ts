import { app, type HttpRequest } from '@azure/functions';
import { apiHandler, json, readJsonBody, readQuery, readRouteParam } from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { exportIdParamSchema } from '../shared/exports/schemas';
import {
  idempotencyKeySchema,
  runHistoryQuerySchema,
  runIdParamSchema,
  segmentParamSchema,
  startRunRequestSchema,
} from '../shared/runs/schemas';
import { notFound, validationProblem } from '../shared/http/problem';
import { toRunResponse } from '../shared/runs/runView';
import {
  attachmentDisposition,
  findRunSegment,
  noReportReason,
  openRejectionReport,
  rejectionFileName,
} from '../shared/runs/rejectionDownload';
import type { Run } from '../shared/model/run';
import type { Services } from '../shared/services';

const RUNNERS = ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'] as const;
/** Rejection reports hold masked emails: not for Runners, which only start runs and read their status. */
const REPORT_READERS = ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer'] as const;

function idempotencyKeyOf(request: HttpRequest): string | undefined {
  const raw = request.headers.get('idempotency-key');
  if (raw === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success) throw validationProblem(parsed.error, 'header', 'Idempotency-Key');
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
    if (!(await services.exports.get(exportId))) {
      throw notFound(`Export "${exportId}" does not exist.`, { code: 'EXPORT_NOT_FOUND', field: 'id' });
    }
    return json(200, { runs: (await services.runs.list(exportId, top)).map(toRunResponse) });
  },
});

export const getRun = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    return json(200, toRunResponse(await requireRun(services, request)));
  },
});

async function requireRun(services: Services, request: HttpRequest): Promise<Run> {
  const runId = readRouteParam(request, 'runId', runIdParamSchema);
  const run = await services.runs.get(runId);
  if (!run) throw notFound(`Run "${runId}" does not exist.`, { code: 'RUN_NOT_FOUND', field: 'runId' });
  return run;
}

export const getSegmentRejections = apiHandler({
  roles: REPORT_READERS,
  handler: async (request, { services }) => {
    const run = await requireRun(services, request);
    const requested = readRouteParam(request, 'segment', segmentParamSchema);
    const state = findRunSegment(run, requested);
    if (!state) {
      throw notFound(`Run "${run.id}" has no segment "${requested}".`, {
        code: 'SEGMENT_NOT_IN_RUN',
        field: 'segment',
      });
    }
    const report = await openRejectionReport(services.storage, run.id, state.segment);
    if (!report) {
      throw notFound(
        `Segment "${state.segment}" of run "${run.id}" has no rejection report: ${noReportReason(state)}.`,
        { code: 'REJECTIONS_NOT_FOUND', field: 'segment' },
      );
    }
    return {
      status: 200,
      body: report,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': attachmentDisposition(rejectionFileName(run.id, state.segment)),
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
