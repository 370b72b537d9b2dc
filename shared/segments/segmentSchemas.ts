import { z } from 'zod';
import { exactName } from '../schemas/text';

/** Path parameter of `GET /api/segments/{name}`: a segment folder name. */
export const segmentNameParamSchema = exactName(1024)
  .refine(
    (name) => !/[\\/]/.test(name) && name !== '.' && name !== '..',
    'must be a folder name (no slashes)',
  )
  .describe('Folder name of the segment in the segments container.');

const booleanText = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/** `?count=false` answers from manifests and cached counts only (no counting of unknown sizes). */
export const segmentQuerySchema = z.object({
  count: booleanText
    .default(true)
    .describe('Count rows of segments whose size is neither in a manifest nor cached (default true).'),
});

export const segmentInfoSchema = z.object({
  name: z.string().describe('Folder name of the segment.'),
  rowCount: z.number().int().nullable().describe('Profile rows (manifest or counted); null when unknown.'),
  fields: z.array(z.string()).describe('Field names: CSV header, CDM attributes or JSON keys.'),
  lastModified: z.string().nullable().describe('When the newest partition was written (ISO 8601).'),
  format: z.enum(['csv', 'jsonl', 'cdm']).nullable().optional(),
  error: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .describe('Why the segment cannot be used (listing only).'),
});

export const segmentListSchema = z.object({ segments: z.array(segmentInfoSchema) });
