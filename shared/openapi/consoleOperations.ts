import { z } from 'zod';
import { advertiserListSchema } from '../connections/advertiserSchemas';
import { jsonContent, problem, type Operation } from './operation';

/** The admin console's page and assets, and the route its Add export form needs. */
export function consoleOperations(): Operation[] {
  return [
    {
      method: 'get',
      path: '/api/console/{path}',
      summary: 'The admin console (HTML page for every path; hashed scripts and styles under assets/)',
      roles: 'anonymous',
      request: {
        params: z.object({ path: z.string().describe('Console page or `assets/<file>`; may be empty.') }),
      },
      responses: {
        200: { description: 'The page or an asset', content: { 'text/html': { schema: z.string() } } },
        404: { description: 'No such asset' },
        503: { description: 'The console is not built (npm run build)' },
      },
    },
    {
      method: 'get',
      path: '/api/connections/{id}/advertisers',
      summary: "Advertisers the connection's RollWorks user reaches, and the segment sizes it takes",
      roles: ['Exports.Admin', 'Exports.Contributor'],
      request: { params: z.object({ id: z.string().describe('Connection id.') }) },
      responses: {
        200: { description: 'Advertisers and limits', content: jsonContent(advertiserListSchema) },
        404: problem('No such connection (contributors: none shared)'),
        422: problem('Not signed in to RollWorks, or RollWorks refused its token'),
        503: problem('RollWorks unavailable'),
      },
    },
  ];
}
