import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadFunctionApp } from '../../dev/localHost/loadFunctionApp';
import { buildOpenApiDocument as buildDocument } from '../../shared/openapi/document';
import { httpHandler } from '../../shared/http/handler';
import { routeTable } from '../../functions/routes/routeTable';
import { exportRequestSchema } from '../../shared/exports/schemas';
import { startRunRequestSchema } from '../../shared/runs/schemas';
import type { JsonBody } from '../exports/support/exportStack';

const ROUTE_PREFIX = 'api';
const buildOpenApiDocument = () => buildDocument(routeTable);

/** `METHOD /api/path` of every HTTP trigger `functions/*.ts` registers (route constraints and catch-all stars dropped). */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  // The console (functions/console.ts) is the app's web page, not an operation of its API.
  for (const { metadata } of loadFunctionApp().filter(({ metadata }) => metadata.name !== 'console')) {
    for (const binding of Object.values(metadata.bindings)) {
      if (binding.type.toLowerCase() !== 'httptrigger') continue;
      const route = (binding.route ?? metadata.name).replace(/\{\*{0,2}(\w+)(?::[^}]*)?\??\}/g, '{$1}');
      for (const method of binding.methods ?? ['GET', 'POST']) {
        routes.push(`${method.toUpperCase()} /${ROUTE_PREFIX}/${route}`);
      }
    }
  }
  return routes.sort();
}

function documentedRoutes(): string[] {
  const paths = buildOpenApiDocument().paths ?? {};
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter((key) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

test('the OpenAPI document describes exactly the HTTP routes the app registers', () => {
  const registered = registeredRoutes();
  expect(registered).toEqual(
    expect.arrayContaining(['POST /api/exports', 'GET /api/runs/{runId}', 'GET /api/openapi.json']),
  );
  expect(documentedRoutes()).toEqual(registered);
});

test('request bodies come from the zod schemas that validate them', () => {
  const document = buildOpenApiDocument();
  const body = (path: string, method: 'post' | 'put') =>
    (document.paths![path] as JsonBody)[method].requestBody.content['application/json'].schema;
  expect(Object.keys(body('/api/exports', 'post').properties).sort()).toEqual(
    Object.keys(exportRequestSchema.shape).sort(),
  );
  expect(body('/api/exports/{id}', 'put')).toEqual(body('/api/exports', 'post'));
  expect(Object.keys(body('/api/exports/{id}/runs', 'post').properties).sort()).toEqual(
    Object.keys(startRunRequestSchema.shape).sort(),
  );
  expect(body('/api/exports', 'post').properties.schedule.properties.cron.description).toContain('NCRONTAB');
});

test('GET /api/openapi.json serves an OpenAPI 3.1 document without authentication', async () => {
  const route = routeTable.find((candidate) => candidate.path === 'openapi.json')!;
  const response = await httpHandler(route)(
    new HttpRequest({ method: 'GET', url: 'http://127.0.0.1:7071/api/openapi.json' }),
    new InvocationContext({ functionName: route.name, logHandler: () => undefined }),
  );
  expect(response.status).toBe(200);
  const document = response.jsonBody as {
    openapi: string;
    paths: Record<string, unknown>;
    components: JsonBody;
  };
  expect(document.openapi).toBe('3.1.0');
  expect(document.paths['/api/exports/{id}/runs']).toBeDefined();
  expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
});

test('runs document progress, timings and resumesAt, and the CSV rejection report route', () => {
  const document = buildOpenApiDocument() as JsonBody;
  const run = document.paths['/api/runs/{runId}'].get.responses['200'].content['application/json'].schema;
  const segment = run.properties.segments.items;
  expect(Object.keys(segment.properties)).toEqual(
    expect.arrayContaining(['progress', 'timings', 'resumesAt', 'error', 'rejectionsUrl']),
  );
  const rejections = document.paths['/api/runs/{runId}/segments/{segment}/rejections'].get;
  expect(rejections.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['runId', 'segment']);
  expect(Object.keys(rejections.responses['200'].content)).toEqual(['text/csv']);
  expect(rejections.responses['200'].headers['Content-Disposition']).toBeDefined();
  expect(rejections.responses['404'].content['application/problem+json']).toBeDefined();
});
