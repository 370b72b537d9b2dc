import { DIGEST_BYTES, type MemberHash } from '../destinations/destination';

/**
 * Email normalization for CRM audiences: trim, lower-case, a practical RFC 5322 subset, and
 * recognition of values that already are digests of the destination's hash (never hashed twice).
 */
export type NormalizedEmail =
  { ok: true; value: string; isDigest: boolean } | { ok: false; reason: InvalidEmailReason };

export type InvalidEmailReason =
  | 'email missing'
  | 'email empty'
  | 'email longer than 254 characters'
  | 'no @ in email'
  | 'more than one @ in email'
  | 'local part empty'
  | 'local part longer than 64 characters'
  | 'local part has a character that is not allowed'
  | 'local part starts or ends with a dot or has two dots in a row'
  | 'domain is not a valid host name'
  | 'domain has no top-level label of 2 or more letters';

/** Lower-case hex digits only; a digest's length is checked before. */
const LOWER_HEX = /^[0-9a-f]+$/;
const LOCAL_CHAR = "[a-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** Whole-address check; lookaheads bound total and local-part length. */
const VALID_EMAIL = new RegExp(
  `^(?=[^@]{1,64}@)(?=.{1,254}$)${LOCAL_CHAR}+(?:\\.${LOCAL_CHAR}+)*@(?:${LABEL}\\.)+[a-z]{2,63}$`,
);
const LOCAL_CHARS_ONLY = new RegExp(`^(?:${LOCAL_CHAR}|\\.)+$`);
const DOMAIN_SHAPE = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`);

/** `hash`: the destination's member hash; a value that already is such a digest is kept as it is. */
export function normalizeEmail(raw: string | undefined | null, hash: MemberHash): NormalizedEmail {
  if (raw === undefined || raw === null) return { ok: false, reason: 'email missing' };
  // JSON Lines may carry a number or boolean in the field; it is judged as text.
  const value = (typeof raw === 'string' ? raw : String(raw)).trim().toLowerCase();
  if (value.length === 0) return { ok: false, reason: 'email empty' };
  if (value.length === DIGEST_BYTES[hash] * 2 && LOWER_HEX.test(value)) {
    return { ok: true, value, isDigest: true };
  }
  if (VALID_EMAIL.test(value)) return { ok: true, value, isDigest: false };
  return { ok: false, reason: whyInvalid(value) };
}

/** Only called for rejected values, so it may be slow and precise. */
function whyInvalid(value: string): InvalidEmailReason {
  if (value.length > 254) return 'email longer than 254 characters';
  const at = value.indexOf('@');
  if (at < 0) return 'no @ in email';
  if (value.indexOf('@', at + 1) >= 0) return 'more than one @ in email';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0) return 'local part empty';
  if (local.length > 64) return 'local part longer than 64 characters';
  if (!LOCAL_CHARS_ONLY.test(local)) return 'local part has a character that is not allowed';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'local part starts or ends with a dot or has two dots in a row';
  }
  if (!DOMAIN_SHAPE.test(domain)) return 'domain is not a valid host name';
  return 'domain has no top-level label of 2 or more letters';
}

/** `john@example.com` → `j***@e***.com`: enough to recognise a row, not enough to read the address. */
export function maskEmail(raw: string | undefined | null): string {
  const value = String(raw ?? '').trim();
  if (value === '') return '';
  const at = value.lastIndexOf('@');
  if (at < 0) return `${value[0]}***`;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const maskedLocal = local ? `${local[0]}***` : '';
  if (dot <= 0) return `${maskedLocal}@${domain ? `${domain[0]}***` : ''}`;
  const tld = domain.slice(dot + 1);
  return `${maskedLocal}@${domain[0]}***.${tld.length <= 6 ? tld : '***'}`;
}
