import { app } from '@azure/functions';
import { apiHandler, json, readRouteParam } from '../shared/http/handler';
import { connectionIdSchema } from '../shared/connections/schemas';
import { listConnectionAdvertisers } from '../shared/connections/advertiserList';

/** For the console's Add export form: the connection's advertisers and segment size limits. */
app.http('connectionsAdvertisers', {
  route: 'connections/{id}/advertisers',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: ['Exports.Admin', 'Exports.Contributor'],
    handler: async (request, { services, principal }) =>
      json(
        200,
        await listConnectionAdvertisers(
          services,
          principal!,
          readRouteParam(request, 'id', connectionIdSchema),
        ),
      ),
  }),
});
