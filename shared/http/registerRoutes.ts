import { app } from '@azure/functions';
import { httpHandler } from './handler';
import type { Route } from './route';

/** One HTTP function per route. Anonymous at host level: the app authenticates every caller itself. */
export function registerRoutes(routes: readonly Route[]): void {
  for (const route of routes) {
    app.http(route.name, {
      route: route.path,
      methods: [route.method],
      authLevel: 'anonymous',
      handler: httpHandler(route),
    });
  }
}
