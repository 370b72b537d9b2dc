import { z } from 'zod';
import { cleanText } from '../schemas/text';
import { EVENT_TYPES, type EventType } from './eventTypes';

/** What a webhook may subscribe to: every type but the test event, which goes to one webhook on request. */
export const SUBSCRIBABLE_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook.test') as [
  EventType,
  ...EventType[],
];

/** Body of `POST /api/webhooks`. */
export const webhookRequestSchema = z
  .object({
    url: cleanText(2000).describe(
      'Where events are POSTed: https (plain http only to loopback on the local stack).',
    ),
    events: z
      .array(z.enum(SUBSCRIBABLE_TYPES))
      .min(1)
      .max(SUBSCRIBABLE_TYPES.length)
      .refine((types) => new Set(types).size === types.length, { message: 'lists an event type twice' })
      .describe('Event types (without the `rollworks.export.` prefix) the webhook receives.'),
    description: cleanText(500).describe('What the webhook is for.'),
  })
  .strict();

export type WebhookRequest = z.infer<typeof webhookRequestSchema>;

export const webhookIdParamSchema = z.object({ id: z.uuid().describe('Webhook id.') });

export const webhookResponseSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string(),
  enabled: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  failingSince: z.string().optional().describe('First failed delivery since the last successful one.'),
  disabledAt: z.string().optional(),
  disabledReason: z.string().optional(),
});

export const createdWebhookResponseSchema = webhookResponseSchema.extend({
  secret: z
    .string()
    .describe('Signing secret (Standard Webhooks `whsec_...`); shown only in this answer, keep it safe.'),
});

export const webhookListResponseSchema = z.object({ webhooks: z.array(webhookResponseSchema) });

export const deliveryListResponseSchema = z.object({
  deliveries: z.array(
    z.object({
      eventId: z.string(),
      type: z.string(),
      createdAt: z.string(),
      attempts: z.number().int(),
      state: z.enum(['pending', 'delivered', 'failed']),
      lastStatus: z.string().optional().describe('The receiver status code, or what went wrong.'),
      lastAttemptAt: z.string().optional(),
      nextAttemptAt: z.string().optional(),
    }),
  ),
});

export const testEventResponseSchema = z.object({ eventId: z.string() });
