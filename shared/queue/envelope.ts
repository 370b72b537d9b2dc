import { z } from 'zod';

/**
 * Queue messages are base64 JSON envelopes `{v, kind, ...}` that carry references only.
 * Top-level keys `id`, `dequeueCount` and `popReceipt` are forbidden: the Functions host merges
 * them into trigger metadata.
 */
export const exportSegmentMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('exportSegment'),
  runId: z.string().min(1).max(200),
  exportId: z.string().min(1).max(200),
  segment: z.string().min(1).max(1024),
});

export const queueEnvelopeSchema = z.discriminatedUnion('kind', [exportSegmentMessageSchema]);

/** On the webhook queue: one event (by id) to one webhook; the delivery row is keyed by `createdAt`. */
export const deliverWebhookMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('deliverWebhook'),
  webhookId: z.string().min(1).max(200),
  eventId: z.string().min(1).max(200),
  createdAt: z.iso.datetime(),
});

/** On the deactivation queue: one audience of a removed export or segment to deactivate. */
export const deactivateAudienceMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('deactivateAudience'),
  exportId: z.string().min(1).max(200),
  segment: z.string().min(1).max(1024),
  connectionId: z.string().min(1).max(200),
  audienceId: z.string().min(1).max(200),
});

export type ExportSegmentMessage = z.infer<typeof exportSegmentMessageSchema>;
export type QueueEnvelope = z.infer<typeof queueEnvelopeSchema>;
export type DeliverWebhookMessage = z.infer<typeof deliverWebhookMessageSchema>;
export type DeactivateAudienceMessage = z.infer<typeof deactivateAudienceMessageSchema>;

type EnvelopeSchema = z.ZodType<{ v: 1; kind: string }>;

export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;
const FORBIDDEN_KEYS = ['id', 'dequeueCount', 'popReceipt'];

export function encodeEnvelope<T extends { v: 1; kind: string }>(
  message: T,
  schema: EnvelopeSchema = queueEnvelopeSchema,
): string {
  const parsed = schema.parse(message);
  for (const key of FORBIDDEN_KEYS) {
    if (key in parsed) throw new Error(`queue envelope must not have a top-level "${key}"`);
  }
  const encoded = Buffer.from(JSON.stringify(parsed), 'utf8').toString('base64');
  if (encoded.length > MAX_QUEUE_MESSAGE_BYTES) throw new Error('queue message exceeds 64 KB');
  return encoded;
}

/**
 * Parses what a queue trigger hands over: the host base64-decodes and JSON-parses the message,
 * so this accepts an object, a JSON string, or a base64 string.
 */
export function parseEnvelope<T = QueueEnvelope>(
  raw: unknown,
  schema: z.ZodType<T> = queueEnvelopeSchema as unknown as z.ZodType<T>,
): { ok: true; message: T } | { ok: false; reason: string } {
  let value = raw;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    value = tryJson(value) ?? tryJson(Buffer.from(value, 'base64').toString('utf8'));
    if (value === undefined) return { ok: false, reason: 'message is not JSON' };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, message: parsed.data };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
