import { hash } from 'node:crypto';
import { DIGEST_BYTES, type MemberHash } from '../destinations/destination';
import { detachString } from '../segments/detachString';
import type { FieldBatch } from '../segments/segmentSource';
import { DigestSet } from './digestSet';
import { maskEmail, normalizeEmail } from './emailNormalizer';
import { sortMembers } from './memberSort';
import type { MemberFilter } from './memberFilter';
import type { RejectionReport } from './rejectionReport';

export interface CollectedCounts {
  read: number;
  invalid: number;
  duplicates: number;
  valid: number;
  suppressed: number;
  withoutConsent: number;
}

/** The de-duplicated members being collected. */
export interface MemberStore {
  readonly size: number;
  /** False when the member was already there. */
  add(member: string): boolean;
  /** The members in code-unit order (as `Array.prototype.sort`). */
  sorted(): string[];
  /** Releases the memory. */
  clear(): void;
}

/** Plain addresses (hashing off): a Set of strings. */
class StringMemberStore implements MemberStore {
  private readonly members = new Set<string>();

  get size(): number {
    return this.members.size;
  }

  add(member: string): boolean {
    const before = this.members.size;
    // A value kept as is may be a slice of a whole chunk of the segment: copied so it does not pin it.
    this.members.add(detachString(member));
    return this.members.size !== before;
  }

  sorted(): string[] {
    return sortMembers(Array.from(this.members));
  }

  clear(): void {
    this.members.clear();
  }
}

export interface CollectorOptions {
  /** The destination's member hash: emails are hashed with it, and its digests are kept as they are. */
  hash: MemberHash;
  /** The export's choice; off sends the normalized addresses. */
  hashEmails: boolean;
  limit: number;
  /** Suppression list and consent filter; none when absent. */
  filter?: MemberFilter;
}

/**
 * Turns segment rows into the set of members to send: normalizes, validates, de-duplicates and
 * (when hashing) hashes each email. Holds at most `limit + 1` members: the one past the limit
 * proves the segment too large, and the caller stops reading. Digests (hashing on) are held as
 * fixed-size records (`DigestSet`), addresses as strings.
 */
export class MemberCollector {
  readonly members: MemberStore;
  /** The store when hashing (members added from raw digest bytes, no hex round trip). */
  private readonly digests: DigestSet | undefined;
  read = 0;
  invalid = 0;
  duplicates = 0;
  suppressed = 0;
  withoutConsent = 0;
  private readonly filter: MemberFilter | undefined;

  constructor(
    private readonly options: CollectorOptions,
    private readonly rejections: RejectionReport,
  ) {
    this.digests = options.hashEmails ? new DigestSet(DIGEST_BYTES[options.hash]) : undefined;
    this.members = this.digests ?? new StringMemberStore();
    const filter = options.filter;
    this.filter = filter && (filter.suppressions || filter.consenting) ? filter : undefined;
  }

  get overLimit(): boolean {
    return this.members.size > this.options.limit;
  }

  /** Adds a batch of rows in order; stops after the row that takes the set past the limit. */
  addBatch(batch: FieldBatch): void {
    const { blob, rows, values, unreadable, also } = batch;
    const limit = this.options.limit;
    const consent = this.filter?.consenting ? this.filter : undefined;
    let problem = 0;
    let problemAt = unreadable.length > 0 ? unreadable[0].index : -1;
    for (let i = 0; i < rows.length; i++) {
      if (i === problemAt) {
        this.addUnreadableRow(blob, rows[i], unreadable[problem].reason);
        problem += 1;
        problemAt = problem < unreadable.length ? unreadable[problem].index : -1;
      } else if (consent && !consent.consents(also?.[i])) {
        // Not consenting: not sent, and not judged (so never in the rejection report).
        this.read += 1;
        this.withoutConsent += 1;
      } else {
        this.addEmail(values[i], blob, rows[i]);
        if (this.members.size > limit) return;
      }
    }
  }

  addEmail(raw: string | undefined, blob: string, row: number): void {
    this.read += 1;
    const normalized = normalizeEmail(raw, this.options.hash);
    if (!normalized.ok) {
      this.invalid += 1;
      this.rejections.add(blob, row, normalized.reason, maskEmail(raw));
      return;
    }
    const filter = this.filter;
    let added: boolean;
    if (this.digests && !normalized.isDigest) {
      const digest = hash(this.options.hash, normalized.value, 'binary');
      if (filter?.isSuppressedBinary(digest)) return void (this.suppressed += 1);
      added = this.digests.addBinary(digest);
    } else {
      if (filter?.isSuppressed(normalized.value)) return void (this.suppressed += 1);
      added = this.members.add(normalized.value);
    }
    if (!added) this.duplicates += 1;
  }

  addUnreadableRow(blob: string, row: number, reason: string): void {
    this.read += 1;
    this.invalid += 1;
    this.rejections.add(blob, row, reason, '');
  }

  counts(): CollectedCounts {
    return {
      read: this.read,
      invalid: this.invalid,
      duplicates: this.duplicates,
      valid: this.members.size,
      suppressed: this.suppressed,
      withoutConsent: this.withoutConsent,
    };
  }

  /** The members sorted (code-unit order, as `Array.prototype.sort`), ready for diff and snapshot. */
  sortedMembers(): string[] {
    return this.members.sorted();
  }
}
