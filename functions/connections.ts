import { app, type HttpRequest } from '@azure/functions';
import { apiHandler, json, readJsonBody, readQuery } from '../shared/http/handler';
import { ConfigError, getConfig, type AppConfig } from '../shared/config/config';
import { assertLocalModesAllowed } from '../shared/auth/localModeGuard';
import type { Principal } from '../shared/model/identity';
import {
  createConnectionSchema,
  deleteConnectionQuerySchema,
  patchConnectionSchema,
} from '../shared/connections/schemas';

const ADMIN = ['Exports.Admin'] as const;
const ADMIN_OR_CONTRIBUTOR = ['Exports.Admin', 'Exports.Contributor'] as const;

/** The `{id}` route parameter; the service answers 404 for an id that cannot exist, as for an unknown one. */
const connectionId = (request: HttpRequest): string => request.params.id ?? '';

const caller = (principal: Principal | null) => ({ id: principal!.id, name: principal!.name });

// Refuse to start in Azure with the local token issuer or the local secret store switched on. Other
// configuration errors are reported by the first request that needs the setting.
app.hook.appStart(() => {
  let config: AppConfig;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  assertLocalModesAllowed(config);
});

app.http('connectionsCreate', {
  route: 'connections',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN,
    handler: async (request, { services, principal, logger }) => {
      const input = await readJsonBody(request, createConnectionSchema);
      const connection = await services.connections.create(input, caller(principal), logger);
      return json(201, connection, { Location: `/api/connections/${connection.id}` });
    },
  }),
});

app.http('connectionsList', {
  route: 'connections',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN_OR_CONTRIBUTOR,
    handler: async (_request, { services, principal }) =>
      json(200, { connections: await services.connections.listFor(principal!) }),
  }),
});

app.http('connectionsGet', {
  route: 'connections/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN_OR_CONTRIBUTOR,
    handler: async (request, { services, principal }) =>
      json(200, await services.connections.getFor(principal!, connectionId(request))),
  }),
});

app.http('connectionsUpdate', {
  route: 'connections/{id}',
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN,
    handler: async (request, { services }) => {
      const id = connectionId(request);
      const patch = await readJsonBody(request, patchConnectionSchema);
      return json(200, await services.connections.update(id, patch));
    },
  }),
});

app.http('connectionsDelete', {
  route: 'connections/{id}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN,
    handler: async (request, { services, logger }) => {
      const id = connectionId(request);
      const query = readQuery(request, deleteConnectionQuerySchema);
      await services.connections.remove(id, query, logger);
      return { status: 204 };
    },
  }),
});

app.http('connectionsAuthorize', {
  route: 'connections/{id}/authorize',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN,
    handler: async (request, { services, principal, logger }) =>
      json(
        200,
        await services.connections.startAuthorization(connectionId(request), caller(principal), logger),
        {
          'Cache-Control': 'no-store',
        },
      ),
  }),
});

app.http('connectionsExportUser', {
  route: 'connections/{id}/export-user',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ADMIN,
    handler: async (request, { services, principal, logger }) =>
      json(200, await services.connections.setExportUser(connectionId(request), caller(principal), logger)),
  }),
});
