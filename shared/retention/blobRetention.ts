import type { ContainerClient } from '@azure/storage-blob';
import { hasStatus } from '../storage/tables';

/** Rejection reports live under this prefix of the state container. */
export const REJECTIONS_PREFIX = 'rejections/';
/** Metadata key of the time a report was saved (the app's clock; the blob's own time is the server's). */
export const SAVED_AT_METADATA = 'savedat';
const PARALLEL_DELETES = 16;

/** Deletes the blobs under a prefix; returns how many it deleted. */
export async function deleteBlobsUnder(container: ContainerClient, prefix: string): Promise<number> {
  return deleteBlobsWhere(container, prefix, () => true);
}

/** Deletes the rejection reports saved before `cutoff`. */
export function deleteOldRejectionReports(container: ContainerClient, cutoff: Date): Promise<number> {
  return deleteBlobsWhere(container, REJECTIONS_PREFIX, (blob) => {
    const savedAt = Date.parse(blob.metadata?.[SAVED_AT_METADATA] ?? '');
    const at = Number.isFinite(savedAt) ? savedAt : (blob.properties.lastModified?.getTime() ?? Infinity);
    return at < cutoff.getTime();
  });
}

type ListedBlob = {
  name: string;
  metadata?: Record<string, string>;
  properties: { lastModified?: Date };
};

async function deleteBlobsWhere(
  container: ContainerClient,
  prefix: string,
  due: (blob: ListedBlob) => boolean,
): Promise<number> {
  let deleted = 0;
  let pending: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(pending);
    pending = [];
  };
  try {
    for await (const blob of container.listBlobsFlat({ prefix, includeMetadata: true })) {
      if (!due(blob)) continue;
      pending.push(
        container.deleteBlob(blob.name).then(
          () => void deleted++,
          (error: unknown) => {
            if (!hasStatus(error, 404)) throw error;
          },
        ),
      );
      if (pending.length >= PARALLEL_DELETES) await flush();
    }
  } catch (error) {
    if (hasStatus(error, 404)) return deleted; // no container yet: nothing to delete
    throw error;
  } finally {
    await flush();
  }
  return deleted;
}
