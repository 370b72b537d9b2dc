import { app } from '@azure/functions';
import { registerRoutes } from '../shared/http/registerRoutes';
import { routeTable } from './routes/routeTable';

// Request bodies reach the app as streams (a suppression list may be 200 MB), not as one buffer the
// host hands over whole.
app.setup({ enableHttpStream: true });

/** One HTTP function per route of the route table. */
registerRoutes(routeTable);
