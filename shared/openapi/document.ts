import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Route } from '../http/route';
import { jsonContent, problem } from './responses';

/** The OpenAPI 3.1 document of the routes, described from the zod schemas that validate their requests. */
export function buildOpenApiDocument(routes: readonly Route[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Microsoft Entra ID access token with an app role (Exports.Admin, …).',
  });
  for (const route of routes) registry.registerPath(operationOf(route));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'RollWorks export',
      version: '1.0.0',
      description: 'Exports customer segments to RollWorks (AdRoll) CRM audiences.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The function app that serves this document.' }],
  });
}

function operationOf(route: Route): RouteConfig {
  const { roles, request = {} } = route;
  const anonymous = roles === 'anonymous';
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: `/api/${route.path}`,
    operationId: route.name,
    summary: route.summary,
    ...(anonymous
      ? { security: [] }
      : { security: [{ bearer: [] }], description: `Roles: ${roles.join(', ')}.` }),
    request: {
      params: request.params,
      headers: request.headers,
      query: request.query,
      ...(request.body
        ? { body: { required: !request.bodyOptional, content: jsonContent(request.body) } }
        : {}),
      ...(request.textBody
        ? {
            body: {
              required: true,
              content: Object.fromEntries(
                request.textBody.mediaTypes.map((type) => [type, { schema: z.string() }]),
              ),
            },
          }
        : {}),
    },
    responses: {
      ...route.responses,
      ...(anonymous ? {} : { 401: problem('No valid token'), 403: problem('Role missing') }),
      ...(request.body ? { 413: problem('Body larger than 1 MiB') } : {}),
      ...(request.textBody
        ? {
            413: problem(`Body larger than the setting ${request.textBody.maxBytesSetting}`),
            415: problem('Not a supported media type'),
          }
        : {}),
    },
  };
}
