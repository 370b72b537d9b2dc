import { z } from 'zod';

const identityRef = z.object({ id: z.string(), name: z.string() });

/** `GET /api/connections/{id}/suppressions`: no list reads as count 0. */
export const suppressionInfoSchema = z.object({
  count: z.number().int().describe('Distinct digests on the list.'),
  updatedAt: z
    .string()
    .nullable()
    .describe('When the list was last replaced (ISO); null when there is none.'),
  updatedBy: identityRef.nullable().describe('Who replaced it last.'),
});

/** `PUT /api/connections/{id}/suppressions`. */
export const suppressionReplacedSchema = suppressionInfoSchema.extend({
  accepted: z.number().int().describe('Distinct digests stored (equals count).'),
  duplicates: z.number().int().describe('Valid lines that repeated an earlier one.'),
  rejected: z.number().int().describe('Lines that are neither an email address nor a digest of the hash.'),
  rejections: z
    .array(z.object({ line: z.number().int(), reason: z.string() }))
    .describe('The first 100 rejected lines: line number and reason (never the value).'),
});

export const suppressionQuerySchema = z
  .object({
    column: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('text/csv: the header of the column holding the emails (not needed for one column).'),
  })
  .strict();
