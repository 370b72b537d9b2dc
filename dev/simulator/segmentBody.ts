import { PackedMemberSet } from './memberSet';

const DATA_KEY = Buffer.from('"data":[');
const RECORD_START = '{"email":"';
/** Bytes the general scan does not handle: control characters, escapes and non-ASCII (JSON.parse decides). */
const NOT_PLAIN = /[^\x20-\x5b\x5d-\x7e]/;
/** `{"email":"` + 32 hex + `"}` + `,` */
const DIGEST_RECORD = RECORD_START.length + 32 + 3;

export type ScannedSegmentBody = { fields: Record<string, unknown> } & (
  { emails: string[]; digests?: undefined } | { emails?: undefined; digests: PackedMemberSet }
);

/**
 * Reads a segment write body of the exact shape our client sends, `{…,"data":[{"email":"…"},…]}`
 * with `data` last and plain ASCII values, by scanning its text instead of building 250,000 objects
 * with JSON.parse (a real service parses its requests fast too; this stands in for it). A list of
 * lower-case hex digests in ascending order (what the export worker sends) is checked in one pass
 * and kept as it is (`digests`). Returns undefined for any other body (whitespace, escapes, other
 * record keys, non-ASCII, nested `data`), which the caller then parses as JSON, so the answer never
 * depends on which path read the body.
 */
export function scanSegmentBody(body: Buffer): ScannedSegmentBody | undefined {
  const at = body.indexOf(DATA_KEY);
  if (at < 0) return undefined;
  let fields: unknown;
  try {
    // Everything before "data", closed: parses only when "data" is a key of the top-level object.
    fields = JSON.parse(`${body.toString('utf8', 0, at)}"data":null}`);
  } catch {
    return undefined;
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return undefined;
  const start = at + DATA_KEY.length;
  const text = body.toString('latin1', start);
  if (sortedDigests(body.subarray(start))) {
    const count = (text.length - 1) / DIGEST_RECORD;
    return {
      fields: fields as Record<string, unknown>,
      digests: new PackedMemberSet(text, RECORD_START.length, DIGEST_RECORD, 32, count),
    };
  }
  const emails = plainEmails(text);
  return emails && { fields: fields as Record<string, unknown>, emails };
}

const RECORD_START_BYTES = Buffer.from(RECORD_START);

/** Whether `data` is `{"email":"<hex>"},…]}` with 32 lower-case hex digits each, strictly ascending. */
function sortedDigests(data: Uint8Array): boolean {
  // n records, n − 1 commas, then `]}`.
  const count = (data.length - 1) / DIGEST_RECORD;
  if (!Number.isInteger(count) || count < 1 || data[data.length - 1] !== 0x7d /* } */) return false;
  for (let i = 0; i < count; i++) {
    const start = i * DIGEST_RECORD;
    for (let k = 0; k < RECORD_START_BYTES.length; k++) {
      if (data[start + k] !== RECORD_START_BYTES[k]) return false;
    }
    const digest = start + RECORD_START_BYTES.length;
    // Ascending: the first digit that differs from the previous digest's must be greater.
    let order = i === 0 ? 1 : 0;
    for (let k = 0; k < 32; k++) {
      const c = data[digest + k];
      if (c > 0x66 /* f */ || (c < 0x61 /* a */ && (c > 0x39 /* 9 */ || c < 0x30)) /* 0 */) return false;
      if (order === 0) {
        const previous = data[digest + k - DIGEST_RECORD];
        if (c !== previous) order = c > previous ? 1 : -1;
      }
    }
    if (order !== 1) return false;
    const end = digest + 32;
    if (data[end] !== 0x22 /* " */ || data[end + 1] !== 0x7d /* } */) return false;
    if (data[end + 2] !== (i === count - 1 ? 0x5d /* ] */ : 0x2c) /* , */) return false;
  }
  return true;
}

/** The values of `{"email":"…"},…]}` when every one is plain; else undefined. */
function plainEmails(text: string): string[] | undefined {
  if (NOT_PLAIN.test(text)) return undefined;
  const emails: string[] = [];
  let i = 0;
  if (text.charCodeAt(0) !== 0x5d /* ] */) {
    for (;;) {
      if (!text.startsWith(RECORD_START, i)) return undefined;
      const start = i + RECORD_START.length;
      const end = text.indexOf('"', start);
      if (end < 0 || text.charCodeAt(end + 1) !== 0x7d /* } */) return undefined;
      emails.push(text.slice(start, end));
      i = end + 2;
      const next = text.charCodeAt(i);
      if (next === 0x5d /* ] */) break;
      if (next !== 0x2c /* , */) return undefined;
      i += 1;
    }
  }
  if (text.length !== i + 2 || text.charCodeAt(i + 1) !== 0x7d /* } */) return undefined;
  return emails;
}
