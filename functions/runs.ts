import { app, type HttpRequest } from '@azure/functions';
import { apiHandler, json, readJsonBody, readQuery } from '../shared/http/handler';
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
  openRejectionReport,
  rejectionFileName,
} from '../shared/runs/rejectionDownload';
import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../shared/model/run';
import type { Services } from '../shared/services';
import type { z } from 'zod';

const RUNNERS = ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'] as const;

function param<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error, where);
  return parsed.data;
}

function idempotencyKeyOf(request: HttpRequest): string | undefined {
  const raw = request.headers.get('idempotency-key');
  if (raw === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw validationProblem(
      { issues: parsed.error.issues.map((i) => ({ ...i, path: ['Idempotency-Key'] })) } as z.ZodError,
      'header',
    );
  }
  return parsed.data;
}

export const startRun = apiHandler({
  roles: RUNNERS,
  handler: async (request, { services, principal, logger }) => {
    const exportId = param(exportIdParamSchema, request.params.id, 'path');
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
    const exportId = param(exportIdParamSchema, request.params.id, 'path');
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
  const runId = param(runIdParamSchema, request.params.runId, 'path');
  const run = await services.runs.get(runId);
  if (!run) throw notFound(`Run "${runId}" does not exist.`, { code: 'RUN_NOT_FOUND', field: 'runId' });
  return run;
}

/** The run's segment named by the path (as decoded by the host, or still encoded by a proxy). */
function segmentOf(run: Run, raw: string): SegmentRunState | undefined {
  const exact = run.segments.find((s) => s.segment === raw);
  if (exact) return exact;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return run.segments.find((s) => s.segment === decoded);
}

function noReportReason(state: SegmentRunState): string {
  if (state.rejectionsUrl) return 'its rejection report is no longer stored';
  if (!isFinalSegmentStatus(state.status) && state.counts.read === 0) {
    return 'the segment has not been read yet; the report appears when reading ends';
  }
  if (state.counts.read === 0) return 'the segment was not read in this run';
  return 'no row was rejected';
}

export const getSegmentRejections = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const run = await requireRun(services, request);
    const requested = param(segmentParamSchema, request.params.segment, 'path');
    const state = segmentOf(run, requested);
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
    const runId = param(runIdParamSchema, request.params.runId, 'path');
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
