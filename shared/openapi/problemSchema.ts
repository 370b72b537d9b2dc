import { z } from 'zod';

/** RFC 9457 problem details as `shared/http/problem.ts` writes them. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().optional().describe('Stable machine-readable code, e.g. SEGMENT_TOO_SMALL.'),
  field: z.string().optional().describe('The request field (dotted path) at fault.'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  instance: z.string().optional(),
});
