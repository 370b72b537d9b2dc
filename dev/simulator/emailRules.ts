import { apiError, type Parsed } from './http';
import { memberSet, type MemberSet } from './memberSet';
import { MIN_UNIQUE_EMAILS } from './options';

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** Plain RFC 5322 dot-atom address with a DNS domain; no display names, quoting or whitespace. */
const PLAIN_EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+[A-Za-z]{2,63}$`);
const MAX_EMAIL_LENGTH = 254;

const NOT_HEX = 0;
const LOWER_HEX = 1;
const MIXED_HEX = 2;

/** Hand-rolled 32-hex check (faster than a RegExp over 250,000 values); tells whether it needs lower-casing. */
function md5HexKind(value: string): number {
  if (value.length !== 32) return NOT_HEX;
  let kind = LOWER_HEX;
  for (let i = 0; i < 32; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) kind = MIXED_HEX;
    else return NOT_HEX;
  }
  return kind;
}

/** The stored form of an accepted value (lower-cased), or undefined when the value is not accepted. */
export function normalizedEmailValue(value: string): string | undefined {
  const hexKind = md5HexKind(value);
  if (hexKind === LOWER_HEX) return value;
  if (hexKind === MIXED_HEX) return value.toLowerCase();
  return value.length <= MAX_EMAIL_LENGTH && PLAIN_EMAIL.test(value) ? value.toLowerCase() : undefined;
}

/**
 * Validates a segment's `data` array in one pass and returns its unique members, lower-cased
 * (addresses and hex digests are compared case-insensitively).
 */
export function parseSegmentMembers(data: unknown): Parsed<MemberSet> {
  if (!Array.isArray(data))
    return {
      ok: false,
      response: apiError(400, 'data must be an array of {"email": "..."} records', 'data'),
    };
  return uniqueMembers(
    data.map((record: unknown) =>
      record !== null && typeof record === 'object' ? (record as { email?: unknown }).email : undefined,
    ),
  );
}

/** The unique normalized members of the records' `email` values; the first bad one is named. */
export function uniqueMembers(emails: readonly unknown[]): Parsed<MemberSet> {
  const normalized = new Array<string>(emails.length);
  for (let i = 0; i < emails.length; i++) {
    const email = emails[i];
    const value = typeof email === 'string' ? normalizedEmailValue(email) : undefined;
    if (value === undefined) {
      const field = `data[${i}].email`;
      return {
        ok: false,
        response: apiError(
          400,
          `${field} is not a valid email address or 32-hex MD5 digest (record ${i})`,
          field,
        ),
      };
    }
    normalized[i] = value;
  }
  return enoughMembers(memberSet(normalized));
}

/** The members, when there are enough of them for a CRM audience. */
export function enoughMembers(members: MemberSet): Parsed<MemberSet> {
  if (members.size < MIN_UNIQUE_EMAILS)
    return {
      ok: false,
      response: apiError(
        400,
        `A CRM audience needs at least ${MIN_UNIQUE_EMAILS} unique emails; got ${members.size}`,
        'data',
      ),
    };
  return { ok: true, value: members };
}
