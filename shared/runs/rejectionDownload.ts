import type { Readable } from 'node:stream';
import type { StorageClients } from '../storage/clients';
import { hasStatus } from '../storage/tables';
import { rejectionBlobName } from '../worker/rejectionReport';

/** Streams a segment's rejection report from the state container; null when there is none. */
export async function openRejectionReport(
  storage: Pick<StorageClients, 'stateContainer'>,
  runId: string,
  segment: string,
): Promise<Readable | null> {
  try {
    const download = await storage
      .stateContainer()
      .getBlobClient(rejectionBlobName(runId, segment))
      .download();
    return (download.readableStreamBody as Readable | undefined) ?? null;
  } catch (error) {
    if (hasStatus(error, 404)) return null;
    throw error;
  }
}

/** `attachment` with an ASCII file name and the exact UTF-8 one (RFC 6266 / 8187). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]+/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

export const rejectionFileName = (runId: string, segment: string) => `rejections-${runId}-${segment}.csv`;
