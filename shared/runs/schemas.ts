import { z } from 'zod';

/** Body of `POST /api/exports/{id}/runs`. */
export const startRunRequestSchema = z
  .object({
    dryRun: z
      .boolean()
      .default(false)
      .describe('Read, validate and diff every segment and report counts, without writing to RollWorks.'),
    force: z
      .boolean()
      .default(false)
      .describe('Allow a replace that removes more than the mass-removal limit.'),
    queue: z
      .boolean()
      .default(false)
      .describe('When a run is in progress, queue behind it instead of answering 409.'),
  })
  .strict();

export const idempotencyKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('Retries with the same key (and body) return the same run instead of starting another.');

export const runIdParamSchema = z.string().regex(/^run_[a-z0-9]{1,60}$/, 'is not a run id');

export const runHistoryQuerySchema = z
  .object({
    top: z.coerce.number().int().min(1).max(100).default(20).describe('How many runs, newest first.'),
  })
  .strict();

const counts = z.object({
  read: z.number().int().describe('Profile rows read.'),
  invalid: z.number().int().describe('Rows without a usable email.'),
  duplicates: z.number().int().describe('Valid rows whose normalized email came earlier.'),
  valid: z.number().int().describe('Unique valid emails (read − invalid − duplicates).'),
  sent: z.number().int().describe('Members in the RollWorks write (0 when unchanged or dry run).'),
  added: z.number().int().describe('Versus the last successful send (first send: all valid).'),
  removed: z.number().int().describe('Versus the last successful send.'),
});

export const segmentRunSchema = z.object({
  segment: z.string(),
  status: z.enum(['queued', 'running', 'waitingForQuota', 'succeeded', 'failed', 'skipped', 'canceled']),
  reason: z.string().nullable(),
  counts,
  audience: z.object({ id: z.string(), name: z.string() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  rejectionsUrl: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const runResponseSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  trigger: z.object({
    type: z.enum(['scheduled', 'onDemand']),
    by: z.object({ id: z.string(), name: z.string() }).nullable(),
    dueAt: z.string().nullable(),
  }),
  dryRun: z.boolean(),
  force: z.boolean(),
  status: z.enum(['queued', 'running', 'succeeded', 'partiallySucceeded', 'failed', 'skipped', 'canceled']),
  reason: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  segments: z.array(segmentRunSchema),
});

export const runListResponseSchema = z.object({ runs: z.array(runResponseSchema) });
