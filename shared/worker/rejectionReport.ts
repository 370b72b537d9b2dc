import type { ContainerClient } from '@azure/storage-blob';

/** Blob (in the state container) holding one segment's rejected rows of one run. */
export const rejectionBlobName = (runId: string, segment: string): string =>
  `rejections/${encodeURIComponent(runId)}/${encodeURIComponent(segment)}.csv`;

/** API path that serves the rejection report (the runs API reads `rejectionBlobName`). */
export const rejectionsUrl = (runId: string, segment: string): string =>
  `/api/runs/${encodeURIComponent(runId)}/segments/${encodeURIComponent(segment)}/rejections`;

const CSV_HEADER = 'blob,row,reason,email\n';

/** Rejected rows as CSV (blob, row, reason, masked email); never a full address. */
export class RejectionReport {
  private readonly lines: string[] = [];

  get size(): number {
    return this.lines.length;
  }

  add(blob: string, row: number, reason: string, maskedEmail: string): void {
    this.lines.push(`${csvField(blob)},${row},${csvField(reason)},${csvField(maskedEmail)}\n`);
  }

  toCsv(): string {
    return CSV_HEADER + this.lines.join('');
  }

  async save(container: ContainerClient, runId: string, segment: string): Promise<void> {
    const body = this.toCsv();
    await container
      .getBlockBlobClient(rejectionBlobName(runId, segment))
      .upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8' },
      });
  }
}

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
