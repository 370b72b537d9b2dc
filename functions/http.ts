import { registerRoutes } from '../shared/http/registerRoutes';
import { routeTable } from './routes/routeTable';

/** One HTTP function per route of the route table. */
registerRoutes(routeTable);
