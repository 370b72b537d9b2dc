import { app } from '@azure/functions';
import { serveConsole } from '../shared/console/serveConsole';

/** The admin console: anonymous like any web page; its data comes from /api with the user's token. */
app.http('console', {
  route: 'console/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: serveConsole,
});
