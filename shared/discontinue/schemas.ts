import { z } from 'zod';

export const audiencesModeSchema = z
  .enum(['keep', 'deactivate'])
  .default('keep')
  .describe(
    'What happens at RollWorks to the audiences of the removed export or segments: keep (default; they stay active and are no longer updated) or deactivate (deleted at RollWorks from a queue; GET /api/exports/{id}/discontinued shows the outcome).',
  );
export type AudiencesMode = z.infer<typeof audiencesModeSchema>;

export const discontinueQuerySchema = z.object({ audiences: audiencesModeSchema });

const stepError = z.object({ code: z.string(), message: z.string() }).nullable();

export const discontinuedAudienceSchema = z.object({
  exportId: z.string(),
  segment: z.string(),
  connectionId: z.string().nullable(),
  audience: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe('The RollWorks audience; null when the segment never had one.'),
  mode: z.enum(['keep', 'deactivate']),
  status: z
    .enum(['kept', 'pending', 'deactivated', 'failed', 'noAudience'])
    .describe(
      'kept: left active at RollWorks; pending: to be deactivated (retried, waits for the daily request budget); deactivated; failed (`error` says why and what to do); noAudience: nothing was ever sent.',
    ),
  error: stepError.describe('Why a deactivation waits or failed.'),
  attempts: z.number().int(),
  resumesAt: z.string().nullable().describe('pending: when the daily request budget resets.'),
  requestedAt: z.string(),
  requestedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  updatedAt: z.string(),
});
export type DiscontinuedAudience = z.infer<typeof discontinuedAudienceSchema>;

export const discontinuedResponseSchema = z.object({
  exportId: z.string(),
  exportExists: z.boolean().describe('false once the export itself was deleted.'),
  audiences: z.array(discontinuedAudienceSchema),
});
