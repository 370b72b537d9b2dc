import { app } from '@azure/functions';
import { apiHandler, json } from '../shared/http/handler';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: apiHandler({
    roles: 'anonymous',
    handler: async () => json(200, { status: 'ok' }),
  }),
});
