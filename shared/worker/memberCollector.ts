import { hash } from 'node:crypto';
import { maskEmail, normalizeEmail } from './emailNormalizer';
import { sortMembers } from './memberSort';
import type { RejectionReport } from './rejectionReport';

export interface CollectedCounts {
  read: number;
  invalid: number;
  duplicates: number;
  valid: number;
}

/**
 * Turns segment rows into the set of members to send: normalizes, validates, de-duplicates and
 * (when hashing) MD5-hashes each email. Holds at most `limit + 1` members: the one past the limit
 * proves the segment too large, and the caller stops reading.
 */
export class MemberCollector {
  readonly members = new Set<string>();
  read = 0;
  invalid = 0;
  duplicates = 0;

  constructor(
    private readonly options: { hashEmails: boolean; limit: number },
    private readonly rejections: RejectionReport,
  ) {}

  get overLimit(): boolean {
    return this.members.size > this.options.limit;
  }

  addEmail(raw: string | undefined, blob: string, row: number): void {
    this.read += 1;
    const normalized = normalizeEmail(raw);
    if (!normalized.ok) {
      this.invalid += 1;
      this.rejections.add(blob, row, normalized.reason, maskEmail(raw));
      return;
    }
    const member =
      this.options.hashEmails && !normalized.isDigest
        ? hash('md5', normalized.value, 'hex')
        : normalized.value;
    const before = this.members.size;
    this.members.add(member);
    if (this.members.size === before) this.duplicates += 1;
  }

  addUnreadableRow(blob: string, row: number, reason: string): void {
    this.read += 1;
    this.invalid += 1;
    this.rejections.add(blob, row, reason, '');
  }

  counts(): CollectedCounts {
    return { read: this.read, invalid: this.invalid, duplicates: this.duplicates, valid: this.members.size };
  }

  /** The members sorted (code-unit order, as `Array.prototype.sort`), ready for diff and snapshot. */
  sortedMembers(): string[] {
    return sortMembers(Array.from(this.members));
  }
}
