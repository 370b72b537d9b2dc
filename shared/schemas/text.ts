import { z } from 'zod';

// C0 and C1 control characters (NUL, BEL, ESC...) and UTF-16 halves without their other half: neither
// belongs in a name or an id, and an unpaired surrogate cannot even be encoded into a URL or a key.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const clean = (schema: z.ZodString) =>
  schema
    .refine((value) => !CONTROL.test(value), 'must not hold control characters')
    .refine((value) => !UNPAIRED_SURROGATE.test(value), 'must not hold an unpaired UTF-16 surrogate');

/** Text people type (names, ids): trimmed, 1 to `max` characters, no control characters. */
export const cleanText = (max: number) => clean(z.string().trim().min(1).max(max));

/**
 * A name that must match something as it is (a segment's folder): never trimmed, so leading or trailing
 * whitespace is refused rather than silently pointing at another folder.
 */
export const exactName = (max: number) =>
  clean(z.string().min(1).max(max)).refine(
    (value) => value.trim() === value,
    'must not begin or end with whitespace (names are matched exactly)',
  );
