import { createHash } from 'node:crypto';

export const md5Hex = (value: string) => createHash('md5').update(value).digest('hex');

/** The members RollWorks should hold for a segment: its unique normalized emails, hashed when the export hashes. */
export function expectedMembers(emails: Iterable<string>, hashEmails: boolean): Set<string> {
  const members = new Set<string>();
  for (const email of emails) members.add(hashEmails ? md5Hex(email) : email);
  return members;
}

export interface AudienceCheck {
  ok: boolean;
  /** Live audiences of this name (must be exactly 1). */
  audiencesWithName: number;
  memberCount: number;
  expectedCount: number;
  /** Expected members RollWorks does not hold. */
  missing: number;
  /** Members RollWorks holds that the segment does not have. */
  extra: number;
}

interface AdminAudience {
  id: string;
  name: string;
  deleted: boolean;
}

/**
 * Compares an audience in the RollWorks simulator (its test-only admin endpoints) with the expected
 * members. Reports counts only: no member is ever printed.
 */
export async function checkAudience(
  simulatorUrl: string,
  audience: { id: string; name: string },
  expected: Set<string>,
): Promise<AudienceCheck> {
  const state = (await getJson(`${simulatorUrl}/__admin/state?members=false`)) as {
    audiences: AdminAudience[];
  };
  const audiencesWithName = state.audiences.filter((a) => a.name === audience.name && !a.deleted).length;
  const stored = (await getJson(
    `${simulatorUrl}/__admin/audiences/${encodeURIComponent(audience.id)}/members`,
  )) as {
    deleted: boolean;
    members: string[];
  };
  const held = new Set(stored.members);
  let missing = 0;
  for (const member of expected) if (!held.has(member)) missing++;
  let extra = 0;
  for (const member of held) if (!expected.has(member)) extra++;
  return {
    ok: audiencesWithName === 1 && !stored.deleted && missing === 0 && extra === 0,
    audiencesWithName,
    memberCount: held.size,
    expectedCount: expected.size,
    missing,
    extra,
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`${new URL(url).pathname} on the RollWorks simulator answered ${response.status}`);
  return response.json();
}
