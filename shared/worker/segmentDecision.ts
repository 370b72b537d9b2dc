import type { DestinationLimits } from '../destinations/destination';

/** What one export of a segment does, decided from facts alone (no I/O: see the table test). */
export type Verdict =
  | { kind: 'tooLarge'; limit: number; contract: boolean; rowsRead: number }
  | { kind: 'tooSmall'; valid: number; min: number }
  /** This run already sent exactly these members; only its record was not written (crash, redelivery). */
  | { kind: 'alreadySent'; audienceId: string; result: SentResult }
  | {
      kind: 'massRemovalBlocked';
      removed: number;
      audienceSize: number;
      share: number;
      maxShare: number;
      dryRun: boolean;
    }
  | { kind: 'dryRun' }
  | { kind: 'unchanged'; audienceId: string }
  /** `create` before the first send; `resend`: nothing changed, but the audience is due again. */
  | { kind: 'send'; mode: 'create' | 'replace'; resend: boolean };

export type FailedVerdict = Extract<Verdict, { kind: 'tooLarge' | 'tooSmall' | 'massRemovalBlocked' }>;

export interface MemberLimits {
  min: number;
  max: number;
  /** `max` is the connection's contract limit, lower than the destination's. */
  contract: boolean;
}

export interface SentResult {
  sent: number;
  added: number;
  removed: number;
}

export interface PreviousSend {
  memberCount: number;
  runId: string;
  sentAt: Date;
  audienceId: string;
  result: SentResult;
}

export interface SegmentFacts {
  /** Rows read, and unique valid members collected (the collector stops at `limits.max + 1`). */
  read: number;
  valid: number;
  limits: MemberLimits;
  /** The last successful send; null before the first. */
  previous: PreviousSend | null;
  /**
   * Members added and removed since `previous` (all added when there is none); of the removed, those
   * now on the suppression list, which the mass-removal guard does not count.
   */
  change: { added: number; removed: number; removedBySuppression?: number };
  run: { id: string; dryRun: boolean; force: boolean };
  now: Date;
  policy: { resendAfterDays: number; massRemovalMaxShare: number; massRemovalMinCount: number };
}

const DAY_MS = 86_400_000;

export function memberLimits(destination: DestinationLimits, profileLimit: number | null): MemberLimits {
  return {
    min: destination.minMembers,
    max: Math.min(destination.maxMembers, profileLimit ?? Infinity),
    contract: profileLimit !== null && profileLimit < destination.maxMembers,
  };
}

/** The rules in order; the first that applies decides. */
export function decide(facts: SegmentFacts): Verdict {
  const { limits, previous, change, run, policy } = facts;
  if (facts.valid > limits.max) {
    return { kind: 'tooLarge', limit: limits.max, contract: limits.contract, rowsRead: facts.read };
  }
  if (facts.valid < limits.min) return { kind: 'tooSmall', valid: facts.valid, min: limits.min };
  const unchanged = previous !== null && change.added === 0 && change.removed === 0;
  if (unchanged && previous.runId === run.id && !run.dryRun) {
    return { kind: 'alreadySent', audienceId: previous.audienceId, result: previous.result };
  }
  const guarded = change.removed - (change.removedBySuppression ?? 0);
  if (previous && !run.force && guarded >= policy.massRemovalMinCount) {
    const share = guarded / Math.max(1, previous.memberCount);
    if (share > policy.massRemovalMaxShare) {
      return {
        kind: 'massRemovalBlocked',
        removed: guarded,
        audienceSize: previous.memberCount,
        share,
        maxShare: policy.massRemovalMaxShare,
        dryRun: run.dryRun,
      };
    }
  }
  if (run.dryRun) return { kind: 'dryRun' };
  const resendDue =
    previous !== null && facts.now.getTime() - previous.sentAt.getTime() >= policy.resendAfterDays * DAY_MS;
  if (unchanged && !resendDue) return { kind: 'unchanged', audienceId: previous.audienceId };
  return { kind: 'send', mode: previous ? 'replace' : 'create', resend: unchanged };
}
