import { z } from 'zod';
import { cleanText } from '../schemas/text';

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

export const idempotencyKeySchema = cleanText(200).describe(
  'Retries with the same key (and body) return the same run instead of starting another.',
);

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
  valid: z
    .number()
    .int()
    .describe('Unique valid emails (read − invalid − duplicates − suppressed − withoutConsent).'),
  suppressed: z.number().int().describe("Rows whose member is on the connection's suppression list."),
  withoutConsent: z
    .number()
    .int()
    .describe("Rows whose consent field holds none of the export's accepted values."),
  sent: z.number().int().describe('Members in the RollWorks write (0 when unchanged or dry run).'),
  added: z.number().int().describe('Versus the last successful send (first send: all valid).'),
  removed: z.number().int().describe('Versus the last successful send.'),
});

const milliseconds = z.number().int().nullable();

const timings = z
  .object({
    readMs: milliseconds.describe('Reading, validating and hashing the segment.'),
    diffMs: milliseconds.describe('Comparing with the last successful send (null: not reached).'),
    sendMs: milliseconds.describe('The RollWorks write (null: nothing was sent).'),
    snapshotMs: milliseconds.describe('Saving the sent list for the next diff (null: nothing was sent).'),
    totalMs: milliseconds.describe('From the worker picking the segment up to its result.'),
  })
  .describe('Where the time went, per stage, as recorded by the worker.');

export const segmentStatusSchema = z.enum([
  'queued',
  'running',
  'stalled',
  'waitingForQuota',
  'succeeded',
  'failed',
  'skipped',
  'canceled',
]);

export const segmentRunSchema = z.object({
  segment: z.string().describe('Segment folder name.'),
  status: segmentStatusSchema,
  reason: z
    .string()
    .nullable()
    .describe(
      'Why the segment ended as it did: an error code for a failure, `canceled`, `previousRunInProgress`, ' +
        '`DAILY_BUDGET_EXHAUSTED`, `SEGMENT_CHANGED_DURING_READ` (queued to be read again), or `unchanged`, `dryRun`, `resent` for a success; null for a plain success.',
    ),
  counts,
  audience: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe('The RollWorks CRM audience the segment was written to.'),
  error: z
    .object({
      code: z.string().describe('Stable code, e.g. SEGMENT_TOO_SMALL.'),
      message: z.string().describe('What happened and what to do, in a sentence.'),
    })
    .nullable()
    .describe('Set for every segment that did not succeed (and for a retry in progress).'),
  rejectionsUrl: z
    .string()
    .nullable()
    .describe('CSV report of the rejected rows (row, reason, masked email); null when none were rejected.'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: z
    .object({
      rowsRead: z.number().int().describe('Profile rows read so far.'),
      updatedAt: z.string().describe('When the worker last reported progress.'),
    })
    .nullable()
    .describe('While the segment is being read; null otherwise.'),
  timings: timings.nullable(),
  warnings: z
    .array(z.object({ code: z.string(), message: z.string() }))
    .optional()
    .describe(
      'On a succeeded segment that needs a look, e.g. `AUDIENCE_COUNT_MISMATCH`: RollWorks holds more members than were sent.',
    ),
  resumesAt: z
    .string()
    .nullable()
    .describe(
      'When status is `waitingForQuota`: when the daily RollWorks request budget resets and the segment resumes (ISO 8601).',
    ),
  stalledSince: z
    .string()
    .nullable()
    .describe(
      'When status is `stalled`: the last heartbeat of the worker that died or hung (ISO 8601); a new worker takes the segment over.',
    ),
});

export const runResponseSchema = z.object({
  id: z.string(),
  exportId: z.string(),
  trigger: z.object({
    type: z
      .enum(['scheduled', 'onDemand', 'segmentUpdated'])
      .describe('scheduled (system refresh or cron), onDemand, or segmentUpdated (its data changed).'),
    by: z.object({ id: z.string(), name: z.string() }).nullable(),
    dueAt: z.string().nullable(),
    segments: z.array(z.string()).optional().describe('segmentUpdated: the segments whose version changed.'),
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

export type SegmentRunResponse = z.infer<typeof segmentRunSchema>;
export type RunResponse = z.infer<typeof runResponseSchema>;

/** Path parameter naming a segment of a run (the host has URL-decoded it). */
export const segmentParamSchema = z.string().min(1, 'is empty').max(1024, 'is too long');

export const runListResponseSchema = z.object({ runs: z.array(runResponseSchema) });
