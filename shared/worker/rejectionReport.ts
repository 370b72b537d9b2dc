import type { ContainerClient } from '@azure/storage-blob';

/** Blob (in the state container) holding one segment's rejected rows of one run. */
export const rejectionBlobName = (runId: string, segment: string): string =>
  `rejections/${encodeURIComponent(runId)}/${encodeURIComponent(segment)}.csv`;

/** API path that serves the rejection report (the runs API reads `rejectionBlobName`). */
export const rejectionsUrl = (runId: string, segment: string): string =>
  `/api/runs/${encodeURIComponent(runId)}/segments/${encodeURIComponent(segment)}/rejections`;

const CSV_HEADER = 'blob,row,reason,email\n';

/**
 * Rows a report lists (about 6 MB of CSV). Profiles without an email are common, and invalid rows do
 * not count toward the member limit, so an unbounded report would grow with the segment.
 */
export const MAX_LISTED_REJECTIONS = 100_000;

/** Rejected rows as CSV (blob, row, reason, masked email); never a full address. */
export class RejectionReport {
  private readonly lines: string[] = [];
  private unlisted = 0;

  constructor(private readonly maxListed = MAX_LISTED_REJECTIONS) {}

  /** Every rejected row, listed or not. */
  get size(): number {
    return this.lines.length + this.unlisted;
  }

  add(blob: string, row: number, reason: string, maskedEmail: string): void {
    if (this.lines.length >= this.maxListed) {
      this.unlisted += 1;
      return;
    }
    this.lines.push(`${csvField(blob)},${row},${csvField(reason)},${csvField(maskedEmail)}\n`);
  }

  toCsv(): string {
    const note =
      this.unlisted > 0
        ? `,,${csvField(`${this.unlisted} more rejected rows are not listed (a report lists the first ${this.maxListed})`)},\n`
        : '';
    return CSV_HEADER + this.lines.join('') + note;
  }

  /** `savedAt` (the app's clock) is what retention ages the report by. */
  async save(
    container: ContainerClient,
    runId: string,
    segment: string,
    savedAt = new Date(),
  ): Promise<void> {
    const body = this.toCsv();
    await container
      .getBlockBlobClient(rejectionBlobName(runId, segment))
      .upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8' },
        metadata: { savedat: savedAt.toISOString() },
      });
  }
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** One cell: control characters (NUL, ESC...) removed, formulas defused, quoted when it must be. */
function csvField(value: string): string {
  const printable = value.replace(CONTROL, '');
  const safe = /^[=+\-@\t\r]/.test(printable) ? `'${printable}` : printable;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
