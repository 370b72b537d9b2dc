import { z } from 'zod';
import { cronProblem, isValidTimeZone } from '../schedule/cron';
import { cleanText } from '../schemas/text';
import { segmentNameParamSchema } from '../segments/segmentSchemas';

const identityRef = z.object({ id: z.string(), name: z.string() });

/** Runs of a `segmentUpdated` export are at least this far apart when the request names no interval. */
export const DEFAULT_MIN_INTERVAL_MINUTES = 15;

export const exportScheduleSchema = z
  .object({
    enabled: z.boolean().describe('Whether the export runs on its schedule.'),
    trigger: z
      .enum(['systemRefresh', 'cron', 'segmentUpdated'])
      .optional()
      .describe(
        'What starts a run: `systemRefresh` (the system refresh schedule), `cron` (the export’s own cron), or `segmentUpdated` (a new complete version of any of its segments). Absent: `cron` when cron is set, else `systemRefresh`.',
      ),
    cron: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `cron "${value}" ${problem}` });
      })
      .optional()
      .describe(
        'NCRONTAB (`second minute hour day month day-of-week`) or five-field cron. Absent: follow the system refresh schedule.',
      ),
    timeZone: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine(isValidTimeZone, {
        message: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"',
      })
      .optional()
      .describe('IANA time zone the cron is evaluated in (default UTC).'),
    minIntervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .optional()
      .describe(
        `\`segmentUpdated\` only: at most one run per this many minutes (default ${DEFAULT_MIN_INTERVAL_MINUTES}); a change within it waits for the next run.`,
      ),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    const fault = (field: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    const trigger = schedule.trigger ?? (schedule.cron !== undefined ? 'cron' : 'systemRefresh');
    if (trigger === 'segmentUpdated') {
      if (schedule.cron !== undefined) {
        fault(
          'cron',
          'does not apply when trigger is segmentUpdated: the export runs when its segments change',
        );
      }
      if (schedule.timeZone !== undefined) {
        fault(
          'timeZone',
          'does not apply when trigger is segmentUpdated: the export runs when its segments change',
        );
      }
      return;
    }
    if (schedule.minIntervalMinutes !== undefined) {
      fault('minIntervalMinutes', 'applies only when trigger is segmentUpdated');
    }
    if (trigger === 'cron' && schedule.cron === undefined) {
      fault('cron', 'is required when trigger is cron');
    } else if (trigger === 'systemRefresh' && schedule.cron !== undefined) {
      fault('cron', 'does not apply when trigger is systemRefresh; set trigger to cron to run on this cron');
    } else if (schedule.timeZone !== undefined && schedule.cron === undefined) {
      fault(
        'timeZone',
        'applies to a cron of the export; without cron the export follows the system refresh schedule and its time zone',
      );
    }
  });

export const exportConsentSchema = z
  .object({
    field: cleanText(200).describe('Segment field that holds the consent, e.g. MarketingConsent.'),
    acceptedValues: z
      .array(cleanText(100))
      .min(1)
      .max(20)
      .describe(
        'Values that mean consent, compared trimmed and case-insensitively, e.g. ["true", "yes", "1"].',
      ),
  })
  .strict()
  .describe(
    'Only rows whose consent field holds one of the accepted values are sent; the others count as withoutConsent.',
  );

/** Body of `POST /api/exports` and `PUT /api/exports/{id}`. */
export const exportRequestSchema = z
  .object({
    displayName: cleanText(200).describe('Name shown in lists and audience names.'),
    connectionId: cleanText(200).describe('RollWorks connection the export uses.'),
    advertiserId: cleanText(200).describe(
      'RollWorks Advertiser ID (advertisable eid) the audiences are created under.',
    ),
    emailField: cleanText(200).describe('Segment field that holds the email address.'),
    segments: z
      .array(segmentNameParamSchema)
      .min(1)
      .max(50)
      .superRefine((names, ctx) => {
        const seen = new Set<string>();
        names.forEach((name, index) => {
          if (seen.has(name)) {
            ctx.addIssue({ code: 'custom', path: [index], message: `segment "${name}" is listed twice` });
          }
          seen.add(name);
        });
      })
      .describe('Segment folder names to export, one CRM audience each.'),
    hashEmails: z
      .boolean()
      .default(true)
      .describe('Send MD5 of the trimmed, lower-cased email (default) instead of the plain address.'),
    replaceStrategy: z
      .enum(['replace', 'recreate'])
      .optional()
      .describe(
        'replace (default): each run replaces the audience members in place. recreate: each run creates a fresh audience with the whole list and then deletes the old one (campaigns must then use the new audience).',
      ),
    schedule: exportScheduleSchema
      .default({ enabled: true })
      .describe('When the export runs; default: on every system refresh.'),
    consent: exportConsentSchema.optional(),
  })
  .strict();

export type ExportRequest = z.infer<typeof exportRequestSchema>;

export const exportIdParamSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'is not an export id');

/** An export as the API returns it. */
export const exportResponseSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  connectionId: z.string().nullable(),
  advertiserId: z.string(),
  advertiserName: z.string(),
  emailField: z.string(),
  segments: z.array(z.string()),
  hashEmails: z.boolean(),
  replaceStrategy: z.enum(['replace', 'recreate']).optional(),
  schedule: exportScheduleSchema,
  consent: exportConsentSchema.optional(),
  status: z.enum(['active', 'inactive']),
  canEdit: z.boolean().describe('Whether the caller may change or delete this export.'),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: identityRef,
  matchHistory: z
    .array(
      z.object({
        segment: z.string(),
        audienceId: z.string(),
        at: z.string(),
        sent: z.number().int(),
        matched: z.number().int().describe('Members RollWorks matched (current visitors).'),
        rate: z.number().describe('matched / sent; above 1 when people match on several devices.'),
      }),
    )
    .optional()
    .describe('One export: RollWorks match reports per segment audience, oldest first.'),
});

export const exportListResponseSchema = z.object({ exports: z.array(exportResponseSchema) });
