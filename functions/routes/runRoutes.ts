import { z } from 'zod';
import { EVERYONE, REPORT_READERS, RUNNERS } from '../../shared/auth/roleSets';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { jsonResponse, problem, textResponse } from '../../shared/openapi/responses';
import { attachmentDisposition, openSegmentRejections } from '../../shared/runs/rejectionDownload';
import { toRunResponse } from '../../shared/runs/runView';
import {
  idempotencyKeySchema,
  runHistoryQuerySchema,
  runIdParamSchema,
  runListResponseSchema,
  runResponseSchema,
  segmentParamSchema,
  startRunRequestSchema,
} from '../../shared/runs/schemas';
import { exportParams } from './exportRoutes';

const runParams = z.object({ runId: runIdParamSchema.describe('Run id (`run_…`).') });
const notARunId = problem('Not a run id');

export const startRun = defineRoute({
  name: 'startRun',
  method: 'POST',
  path: 'exports/{id}/runs',
  summary: 'Run an export now',
  roles: RUNNERS,
  request: {
    params: exportParams,
    headers: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }),
    body: startRunRequestSchema,
    bodyOptional: true,
  },
  responses: {
    202: jsonResponse(
      'Accepted; `Location: /api/runs/{runId}`',
      runResponseSchema,
      z.object({ Location: z.string() }),
    ),
    404: problem('No such export'),
    409: problem('A run is in progress (its id in `runId`)'),
    422: problem('Invalid body, export id or Idempotency-Key'),
  },
  handler: async ({ params, headers, body }, { services, principal, logger }) => {
    const run = await services.runs.startOnDemand(params.id, principal!, {
      dryRun: body.dryRun,
      force: body.force,
      queueBehind: body.queue,
      idempotencyKey: headers['Idempotency-Key'],
    });
    logger.info('on-demand run accepted', { exportId: params.id, runId: run.id, status: run.status });
    return json(202, toRunResponse(run), { Location: `/api/runs/${run.id}` });
  },
});

export const listRuns = defineRoute({
  name: 'listRuns',
  method: 'GET',
  path: 'exports/{id}/runs',
  summary: 'Run history, newest first',
  roles: EVERYONE,
  request: { params: exportParams, query: runHistoryQuerySchema },
  responses: {
    200: jsonResponse('Runs', runListResponseSchema),
    404: problem('No such export'),
    422: problem('Invalid export id or `top`'),
  },
  handler: async ({ params, query }, { services }) =>
    json(200, { runs: (await services.runs.history(params.id, query.top)).map(toRunResponse) }),
});

export const getRun = defineRoute({
  name: 'getRun',
  method: 'GET',
  path: 'runs/{runId}',
  summary: 'What happened in a run, per segment',
  roles: EVERYONE,
  request: { params: runParams },
  responses: {
    200: jsonResponse('The run', runResponseSchema),
    404: problem('No such run'),
    422: notARunId,
  },
  handler: async ({ params }, { services }) =>
    json(200, toRunResponse(await services.runs.view(params.runId))),
});

export const getSegmentRejections = defineRoute({
  name: 'getSegmentRejections',
  method: 'GET',
  path: 'runs/{runId}/segments/{segment}/rejections',
  summary: 'Rejected rows of one segment of a run, as CSV (blob, row, reason, masked email)',
  roles: REPORT_READERS,
  request: {
    params: runParams.extend({
      segment: segmentParamSchema.describe('Segment name, URL-encoded (the `rejectionsUrl` of the segment).'),
    }),
  },
  responses: {
    200: {
      ...textResponse('The rejection report', 'text/csv'),
      headers: z.object({
        'Content-Disposition': z.string().describe('attachment; filename="rejections-<run>-<segment>.csv"'),
      }),
    },
    404: problem('No such run or segment, no rejected rows, or the report was deleted (`code` says which)'),
    422: notARunId,
  },
  handler: async ({ params }, { services }) => {
    const { fileName, report } = await openSegmentRejections(services, params.runId, params.segment);
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

export const cancelRun = defineRoute({
  name: 'cancelRun',
  method: 'POST',
  path: 'runs/{runId}/cancel',
  summary: 'Cancel a run: segments not finished become canceled',
  roles: RUNNERS,
  request: { params: runParams },
  responses: {
    200: jsonResponse('The canceled run', runResponseSchema),
    404: problem('No such run'),
    409: problem('The run has already finished'),
    422: notARunId,
  },
  handler: async ({ params }, { services, principal, logger }) => {
    const run = await services.runs.cancel(params.runId, principal!);
    logger.info('run canceled', { runId: params.runId, exportId: run.exportId });
    return json(200, toRunResponse(run));
  },
});

export const runRoutes = [startRun, listRuns, getRun, getSegmentRejections, cancelRun];
