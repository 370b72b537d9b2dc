import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32 (RFC 4648 alphabet, no padding). Never a 32-hex string, which logs redact. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export const randomId = (prefix: string, bytes = 12) => `${prefix}_${base32(randomBytes(bytes))}`;

export const digestId = (prefix: string, input: string, bytes = 15) =>
  `${prefix}_${base32(createHash('sha256').update(input).digest().subarray(0, bytes))}`;
