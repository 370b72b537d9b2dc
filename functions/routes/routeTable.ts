import type { Route } from '../../shared/http/route';
import { connectionRoutes } from './connectionRoutes';
import { exportRoutes } from './exportRoutes';
import { runRoutes } from './runRoutes';
import { segmentRoutes } from './segmentRoutes';
import { suppressionRoutes } from './suppressionRoutes';
import { getHealth, openApiRoute } from './systemRoutes';
import { webhookRoutes } from './webhookRoutes';

/**
 * Every HTTP route of the app, each declared once: `functions/http.ts` registers them, the OpenAPI
 * document describes them and the role-table test calls each with every role.
 */
export const routeTable: readonly Route[] = [
  getHealth,
  openApiRoute(() => routeTable),
  ...connectionRoutes,
  ...suppressionRoutes,
  ...segmentRoutes,
  ...exportRoutes,
  ...runRoutes,
  ...webhookRoutes,
];
