import { z } from 'zod';
import { cleanText } from '../schemas/text';

/** Request and response shapes of the connection API (also used to describe it in OpenAPI). */

export const CONSENT_MESSAGE =
  'must be true: exporting to RollWorks sends data, including personal data (email addresses or their hashes), outside the compliance boundary of this tenant; an administrator must consent to that';

export const connectionIdSchema = z.uuid().describe('Connection id.');

export const connectionAccessSchema = z
  .enum(['admins', 'adminsAndContributors'])
  .describe('Who may use the connection in exports: admins only, or admins and contributors.');

export const profileLimitSchema = z
  .number()
  .int()
  .min(100)
  .max(250_000)
  .describe('Contract limit of profiles per segment per export (100 to 250,000); absent = the system limit.');

export const displayNameSchema = cleanText(200).describe('Name shown to people.');

export const createConnectionSchema = z.strictObject({
  displayName: displayNameSchema,
  access: connectionAccessSchema,
  dataPrivacyConsent: z.literal(true, { error: CONSENT_MESSAGE }).describe('Must be true (see message).'),
  profileLimit: profileLimitSchema.optional(),
});
export type CreateConnectionInput = z.infer<typeof createConnectionSchema>;

export const patchConnectionSchema = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    access: connectionAccessSchema.optional(),
    profileLimit: profileLimitSchema.nullable().optional().describe('null removes the contract limit.'),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'name at least one of displayName, access, profileLimit',
  });
export type PatchConnectionInput = z.infer<typeof patchConnectionSchema>;

export const deleteConnectionQuerySchema = z.object({
  exports: z
    .enum(['detach', 'remove'])
    .optional()
    .describe(
      'What to do with exports using the connection: detach (kept, inactive, no connection) or remove. Without it a connection in use is not deleted (409).',
    ),
});
export type DeleteConnectionQuery = z.infer<typeof deleteConnectionQuerySchema>;

export const oauthCallbackQuerySchema = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
export type OAuthCallbackQuery = z.infer<typeof oauthCallbackQuerySchema>;

const identityRefSchema = z.object({ id: z.string(), name: z.string() });

export const connectionStatusSchema = z.enum([
  'pendingAuthorization',
  'authorized',
  'ready',
  'reauthorizationRequired',
]);

/** What administrators see. */
export const connectionSchema = z.object({
  id: z.string(),
  type: z.literal('rollworks'),
  displayName: z.string(),
  access: connectionAccessSchema,
  status: connectionStatusSchema,
  consent: z.object({ by: identityRefSchema, at: z.string() }),
  rollworks: z.object({ organizationId: z.string(), organizationName: z.string() }).nullable(),
  exportUser: identityRefSchema.nullable(),
  profileLimit: z.number().int().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** What contributors see (connections shared with contributors only). */
export const connectionSummarySchema = connectionSchema.pick({
  id: true,
  displayName: true,
  type: true,
  status: true,
});
/** `type` is the connection's destination; the schema documents the one connections are created for. */
export type ConnectionSummary = Omit<z.infer<typeof connectionSummarySchema>, 'type'> & { type: string };

export const authorizeResponseSchema = z.object({
  authorizeUrl: z.string().describe("RollWorks' sign-in page; open it in a browser."),
  expiresAt: z.string().describe('When the link stops working.'),
});
