import type { AdvertiserList, Segment } from '../api/types';
import { count } from '../ui/format';

/** Why a segment cannot be chosen on this connection, or undefined when it can. */
export function segmentRefusal(
  segment: Segment,
  limits: AdvertiserList['segmentLimits'] | undefined,
): string | undefined {
  if (segment.error) return segment.error.message;
  if (!limits || segment.rowCount === null) return undefined;
  if (segment.rowCount < limits.minProfiles)
    return `Fewer than ${count(limits.minProfiles)} members: too small to export.`;
  if (segment.rowCount > limits.maxProfiles)
    return `More than the limit of ${count(limits.maxProfiles)} members.`;
  return undefined;
}

/** Fields every chosen segment has (all segments' fields while none is chosen). */
export function commonFields(segments: Segment[], chosen: string[]): string[] {
  const picked = segments.filter((segment) => chosen.includes(segment.name));
  if (picked.length === 0) return [...new Set(segments.flatMap((segment) => segment.fields))].sort();
  return picked[0].fields.filter((field) => picked.every((segment) => segment.fields.includes(field)));
}

export const likelyEmailField = (fields: string[]) => fields.find((field) => /e-?mail/i.test(field));
