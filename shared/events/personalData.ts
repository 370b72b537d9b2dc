import type { EventData } from './eventTypes';

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/i;
const DIGEST = /\b(?:[a-f0-9]{32}|[a-f0-9]{64})\b/i;
const TOKEN = /\b(?:bearer\s+\S+|eyJ[\w-]+\.[\w-]+\.[\w-]*)/i;

/**
 * The last line of defence before an event leaves the app: an event whose data looks like it holds an
 * email address, an MD5/SHA-256 digest or a token is refused, naming the field (never the value).
 */
export function assertNoPersonalData(data: EventData): void {
  for (const [field, value] of Object.entries(data)) {
    const texts = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    for (const text of texts) {
      if (EMAIL.test(text) || DIGEST.test(text) || TOKEN.test(text)) {
        throw new Error(`event data field "${field}" looks like personal data or a secret; not sent`);
      }
    }
  }
}
