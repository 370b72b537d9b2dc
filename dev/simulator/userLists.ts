import { createHash } from 'node:crypto';
import { apiError, type SimResponse } from './http';
import type { SimulatorUser } from './options';
import type { SimulatorState, StoredAudience } from './state';

/**
 * The members RollWorks "matched" to browsers and devices: deterministic, about 5 in 8 of them (those
 * whose MD5 begins with a digit), so a test or the demo knows what to expect.
 */
export function matchedCount(audience: StoredAudience): number {
  let matched = 0;
  for (const member of audience.members) {
    const first = createHash('md5').update(member).digest('hex').charCodeAt(0);
    if (first <= 0x39) matched++;
  }
  return matched;
}

const visitors = (current: number) => ({
  current_visitors: current,
  current_visitors_in_date_range: current,
  new_visitors: current,
  total_visitors: current,
});

/**
 * `GET /user-lists/api/v1/userlists/segment`: the summary over the asked audiences, and (the shape
 * RollWorks does not document) one entry per audience under `results.segments`.
 */
export function userListSizes(state: SimulatorState, url: URL, user: SimulatorUser): SimResponse {
  const advertiser = url.searchParams.get('advertisable_eid');
  if (!advertiser) return apiError(400, 'advertisable_eid is required', 'advertisable_eid');
  if (!state.userOwnsAdvertisable(user, advertiser))
    return apiError(403, 'This token has no access to that advertisable', 'advertisable_eid');
  const ids = (url.searchParams.get('segment_eids') ?? '').split(',').filter(Boolean);
  if (ids.length === 0) return apiError(400, 'segment_eids is required', 'segment_eids');
  const segments: Record<string, ReturnType<typeof visitors>> = {};
  let total = 0;
  for (const id of ids) {
    const audience = state.audiences.get(id);
    if (!audience || audience.advertiserId !== advertiser) continue;
    const matched = matchedCount(audience);
    segments[id] = visitors(matched);
    total += matched;
  }
  return { status: 200, json: { results: { summary: visitors(total), segments } } };
}
