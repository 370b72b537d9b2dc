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

export type ExportSegmentMessage = z.infer<typeof exportSegmentMessageSchema>;
export type QueueEnvelope = z.infer<typeof queueEnvelopeSchema>;

export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;
const FORBIDDEN_KEYS = ['id', 'dequeueCount', 'popReceipt'];

export function encodeEnvelope(message: QueueEnvelope): string {
  const parsed = queueEnvelopeSchema.parse(message);
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
export function parseEnvelope(
  raw: unknown,
): { ok: true; message: QueueEnvelope } | { ok: false; reason: string } {
  let value = raw;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    value = tryJson(value) ?? tryJson(Buffer.from(value, 'base64').toString('utf8'));
    if (value === undefined) return { ok: false, reason: 'message is not JSON' };
  }
  const parsed = queueEnvelopeSchema.safeParse(value);
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
