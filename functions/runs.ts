import { app, type HttpRequest } from '@azure/functions';
import { apiHandler, json, readJsonBody, readQuery } from '../shared/http/handler';
import { ROLES } from '../shared/model/identity';
import { exportIdParamSchema } from '../shared/exports/schemas';
import {
  idempotencyKeySchema,
  runHistoryQuerySchema,
  runIdParamSchema,
  startRunRequestSchema,
} from '../shared/runs/schemas';
import { notFound, validationProblem } from '../shared/http/problem';
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
    return json(202, run, { Location: `/api/runs/${run.id}` });
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
    return json(200, { runs: await services.runs.list(exportId, top) });
  },
});

export const getRun = apiHandler({
  roles: ROLES,
  handler: async (request, { services }) => {
    const runId = param(runIdParamSchema, request.params.runId, 'path');
    const run = await services.runs.get(runId);
    if (!run) throw notFound(`Run "${runId}" does not exist.`, { code: 'RUN_NOT_FOUND', field: 'runId' });
    return json(200, run);
  },
});

export const cancelRun = apiHandler({
  roles: RUNNERS,
  handler: async (request, { services, principal, logger }) => {
    const runId = param(runIdParamSchema, request.params.runId, 'path');
    const run = await services.runs.cancel(runId, principal!);
    logger.info('run canceled', { runId, exportId: run.exportId });
    return json(200, run);
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
app.http('cancelRun', {
  route: 'runs/{runId}/cancel',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: cancelRun,
});
