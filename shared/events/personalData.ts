import { redact } from '../logging/logger';
import type { EventData } from './eventTypes';

/**
 * The last line of defence before an event leaves the app: an event whose data holds anything the log
 * redaction would mask (an email address, an MD5/SHA-256 digest, a token) is refused, naming the field
 * (never the value).
 */
export function assertNoPersonalData(data: EventData): void {
  for (const [field, value] of Object.entries(data)) {
    const texts = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    if (texts.some((text) => redact(text) !== text)) {
      throw new Error(`event data field "${field}" looks like personal data or a secret; not sent`);
    }
  }
}
