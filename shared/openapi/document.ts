import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '../model/identity';
import { exportListResponseSchema, exportRequestSchema, exportResponseSchema } from '../exports/schemas';
import {
  idempotencyKeySchema,
  runHistoryQuerySchema,
  runListResponseSchema,
  runResponseSchema,
  startRunRequestSchema,
} from '../runs/schemas';
import {
  authorizeResponseSchema,
  connectionSchema,
  connectionSummarySchema,
  createConnectionSchema,
  deleteConnectionQuerySchema,
  oauthCallbackQuerySchema,
  patchConnectionSchema,
} from '../connections/schemas';
import { segmentInfoSchema, segmentListSchema, segmentQuerySchema } from '../segments/segmentSchemas';
import { consoleOperations } from './consoleOperations';
import { jsonContent, problem, type Operation } from './operation';

const ALL_ROLES: Role[] = ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer', 'Exports.Runner'];

const body = (schema: z.ZodType) => ({ required: true, content: jsonContent(schema) });
const exportParams = z.object({ id: z.string().describe('Export id.') });
const runParams = z.object({ runId: z.string().describe('Run id (`run_…`).') });
const connectionParams = z.object({ id: z.string().describe('Connection id.') });

/**
 * Every HTTP route the app registers, described from the zod schemas that validate its requests.
 * `test/openapi` checks this list against the routes `functions/*.ts` register.
 */
export function apiOperations(): Operation[] {
  return [
    {
      method: 'get',
      path: '/api/health',
      summary: 'Liveness',
      roles: 'anonymous',
      responses: { 200: { description: 'Up', content: jsonContent(z.object({ status: z.literal('ok') })) } },
    },
    {
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI document',
      roles: 'anonymous',
      responses: { 200: { description: 'OpenAPI 3.1 document', content: jsonContent(z.object({}).loose()) } },
    },
    // Connections
    {
      method: 'post',
      path: '/api/connections',
      summary: 'Add a RollWorks connection',
      roles: ['Exports.Admin'],
      request: { body: body(createConnectionSchema) },
      responses: {
        201: { description: 'Created', content: jsonContent(connectionSchema) },
        422: problem('Invalid'),
      },
    },
    {
      method: 'get',
      path: '/api/connections',
      summary: 'List connections (contributors: shared ones, summary only)',
      roles: ['Exports.Admin', 'Exports.Contributor'],
      responses: {
        200: {
          description: 'Connections',
          content: jsonContent(
            z.object({ connections: z.array(z.union([connectionSchema, connectionSummarySchema])) }),
          ),
        },
      },
    },
    {
      method: 'get',
      path: '/api/connections/{id}',
      summary: 'One connection',
      roles: ['Exports.Admin', 'Exports.Contributor'],
      request: { params: connectionParams },
      responses: {
        200: {
          description: 'The connection',
          content: jsonContent(z.union([connectionSchema, connectionSummarySchema])),
        },
        404: problem('No such connection'),
      },
    },
    {
      method: 'patch',
      path: '/api/connections/{id}',
      summary: 'Change display name, access or profile limit',
      roles: ['Exports.Admin'],
      request: { params: connectionParams, body: body(patchConnectionSchema) },
      responses: {
        200: { description: 'Updated', content: jsonContent(connectionSchema) },
        422: problem('Invalid'),
      },
    },
    {
      method: 'delete',
      path: '/api/connections/{id}',
      summary: 'Delete a connection and its secrets',
      roles: ['Exports.Admin'],
      request: { params: connectionParams, query: deleteConnectionQuerySchema },
      responses: { 204: { description: 'Deleted' }, 409: problem('Exports use it') },
    },
    {
      method: 'post',
      path: '/api/connections/{id}/authorize',
      summary: 'Start the RollWorks sign-in',
      roles: ['Exports.Admin'],
      request: { params: connectionParams },
      responses: { 200: { description: 'Sign-in link', content: jsonContent(authorizeResponseSchema) } },
    },
    {
      method: 'post',
      path: '/api/connections/{id}/export-user',
      summary: 'Add yourself as the export user',
      roles: ['Exports.Admin'],
      request: { params: connectionParams },
      responses: { 200: { description: 'Updated', content: jsonContent(connectionSchema) } },
    },
    {
      method: 'get',
      path: '/api/oauth/rollworks/callback',
      summary: 'RollWorks OAuth redirect target (HTML page)',
      roles: 'anonymous',
      request: { query: oauthCallbackQuerySchema },
      responses: {
        200: { description: 'Authorized', content: { 'text/html': { schema: z.string() } } },
        400: { description: 'Not authorized', content: { 'text/html': { schema: z.string() } } },
      },
    },
    // Segments
    {
      method: 'get',
      path: '/api/segments',
      summary: 'Segments available to export, with sizes and fields',
      roles: ALL_ROLES,
      request: { query: segmentQuerySchema },
      responses: { 200: { description: 'Segments', content: jsonContent(segmentListSchema) } },
    },
    {
      method: 'get',
      path: '/api/segments/{name}',
      summary: 'One segment',
      roles: ALL_ROLES,
      request: {
        params: z.object({ name: z.string().describe('Segment folder name.') }),
        query: segmentQuerySchema,
      },
      responses: {
        200: { description: 'The segment', content: jsonContent(segmentInfoSchema) },
        404: problem('No such segment'),
      },
    },
    // Exports
    {
      method: 'get',
      path: '/api/exports',
      summary: 'List exports',
      roles: ALL_ROLES,
      responses: { 200: { description: 'Exports', content: jsonContent(exportListResponseSchema) } },
    },
    {
      method: 'post',
      path: '/api/exports',
      summary: 'Configure an export (saving never runs it)',
      roles: ['Exports.Admin', 'Exports.Contributor'],
      request: { body: body(exportRequestSchema) },
      responses: {
        201: { description: 'Created', content: jsonContent(exportResponseSchema) },
        403: problem('Connection not shared with contributors'),
        422: problem('A validation rule failed; `field` names the field'),
      },
    },
    {
      method: 'get',
      path: '/api/exports/{id}',
      summary: 'One export',
      roles: ALL_ROLES,
      request: { params: exportParams },
      responses: {
        200: { description: 'The export', content: jsonContent(exportResponseSchema) },
        404: problem('No such export'),
      },
    },
    {
      method: 'put',
      path: '/api/exports/{id}',
      summary: 'Change an export (same checks as create)',
      roles: ['Exports.Admin', 'Exports.Contributor'],
      request: { params: exportParams, body: body(exportRequestSchema) },
      responses: {
        200: { description: 'Updated', content: jsonContent(exportResponseSchema) },
        403: problem('Connection not shared with contributors'),
        404: problem('No such export'),
        422: problem('A validation rule failed'),
      },
    },
    {
      method: 'delete',
      path: '/api/exports/{id}',
      summary: 'Delete an export',
      roles: ['Exports.Admin', 'Exports.Contributor'],
      request: { params: exportParams },
      responses: { 204: { description: 'Deleted' }, 404: problem('No such export') },
    },
    // Runs
    {
      method: 'post',
      path: '/api/exports/{id}/runs',
      summary: 'Run an export now',
      roles: ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'],
      request: {
        params: exportParams,
        headers: z.object({
          'Idempotency-Key': idempotencyKeySchema.optional(),
        }),
        body: { required: false, content: jsonContent(startRunRequestSchema) },
      },
      responses: {
        202: {
          description: 'Accepted; `Location: /api/runs/{runId}`',
          headers: z.object({ Location: z.string() }),
          content: jsonContent(runResponseSchema),
        },
        409: problem('A run is in progress (its id in `runId`)'),
      },
    },
    {
      method: 'get',
      path: '/api/exports/{id}/runs',
      summary: 'Run history, newest first',
      roles: ALL_ROLES,
      request: { params: exportParams, query: runHistoryQuerySchema },
      responses: { 200: { description: 'Runs', content: jsonContent(runListResponseSchema) } },
    },
    {
      method: 'get',
      path: '/api/runs/{runId}',
      summary: 'What happened in a run, per segment',
      roles: ALL_ROLES,
      request: { params: runParams },
      responses: {
        200: { description: 'The run', content: jsonContent(runResponseSchema) },
        404: problem('No such run'),
      },
    },
    {
      method: 'get',
      path: '/api/runs/{runId}/segments/{segment}/rejections',
      summary: 'Rejected rows of one segment of a run, as CSV (blob, row, reason, masked email)',
      roles: ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer'],
      request: {
        params: runParams.extend({
          segment: z.string().describe('Segment name, URL-encoded (the `rejectionsUrl` of the segment).'),
        }),
      },
      responses: {
        200: {
          description: 'The rejection report',
          headers: z.object({
            'Content-Disposition': z
              .string()
              .describe('attachment; filename="rejections-<run>-<segment>.csv"'),
          }),
          content: { 'text/csv': { schema: z.string() } },
        },
        404: problem('No such run or segment, or no rejected rows (`code` says which)'),
      },
    },
    {
      method: 'post',
      path: '/api/runs/{runId}/cancel',
      summary: 'Cancel a run: segments not finished become canceled',
      roles: ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'],
      request: { params: runParams },
      responses: {
        200: { description: 'The canceled run', content: jsonContent(runResponseSchema) },
        409: problem('The run has already finished'),
      },
    },
    ...consoleOperations(),
  ];
}

let cached: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

/** The OpenAPI 3.1 document of the whole HTTP API. */
export function buildOpenApiDocument(serverUrl?: string) {
  if (cached && !serverUrl) return cached;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Microsoft Entra ID access token with an app role (Exports.Admin, …).',
  });
  for (const { roles, ...operation } of apiOperations()) {
    registry.registerPath({
      ...operation,
      ...(roles === 'anonymous'
        ? { security: [] }
        : { security: [{ bearer: [] }], description: `Roles: ${roles.join(', ')}.` }),
      responses: {
        ...operation.responses,
        ...(roles === 'anonymous' ? {} : { 401: problem('No valid token'), 403: problem('Role missing') }),
        ...(operation.request?.body ? { 413: problem('Body larger than 1 MiB') } : {}),
      },
    });
  }
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'RollWorks export',
      version: '1.0.0',
      description: 'Exports customer segments to RollWorks (AdRoll) CRM audiences.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
  if (!serverUrl) cached = document;
  return document;
}
