import { hash } from 'node:crypto';
import { DIGEST_BYTES, type MemberHash } from '../destinations/destination';
import type { ExportConsent } from '../model/export';
import type { DigestList } from '../suppressions/digestList';

const LOWER_HEX = /^[0-9a-f]+$/;

/**
 * What keeps a member from being sent whatever its segment: the connection's suppression list
 * (looked up by the member's digest, also when the export sends plain addresses) and the export's
 * consent filter.
 */
export class MemberFilter {
  readonly suppressions: DigestList | undefined;
  private readonly scratch: Buffer;
  private readonly hexLength: number;
  private readonly accepted: Set<string> | undefined;

  constructor(
    private readonly memberHash: MemberHash,
    /** Undefined or empty: nobody is suppressed. */
    suppressions: DigestList | undefined,
    consent: ExportConsent | undefined,
  ) {
    this.suppressions = suppressions && suppressions.size > 0 ? suppressions : undefined;
    this.scratch = Buffer.alloc(DIGEST_BYTES[memberHash]);
    this.hexLength = DIGEST_BYTES[memberHash] * 2;
    this.accepted = consent && new Set(consent.acceptedValues.map((value) => value.trim().toLowerCase()));
  }

  /** The consent field to read with the email, if the export filters on one. */
  get consenting(): boolean {
    return this.accepted !== undefined;
  }

  /** Whether a row's consent value is one of the accepted ones (true when there is no filter). */
  consents(value: string | undefined): boolean {
    return this.accepted === undefined || this.accepted.has((value ?? '').trim().toLowerCase());
  }

  /** `digest`: the raw bytes (latin1 string of `crypto.hash(…, 'binary')`). */
  isSuppressedBinary(digest: string): boolean {
    return this.suppressions !== undefined && this.suppressions.hasBinary(digest);
  }

  /** A normalized member as it is kept: a lower-case hex digest, or an address (hashed for the lookup). */
  isSuppressed(member: string): boolean {
    if (!this.suppressions) return false;
    if (member.length === this.hexLength && LOWER_HEX.test(member)) this.scratch.write(member, 'hex');
    else this.scratch.set(hash(this.memberHash, member, 'buffer'));
    return this.suppressions.has(this.scratch);
  }
}
