import { createHash, randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { MemberHash } from '../destinations/destination';
import type { IdentityRef } from '../model/identity';
import { DigestList } from './digestList';
import { ensureContainerOnce } from '../storage/containers';

/** Lists the worker keeps loaded (by connection, newest last). */
const LISTS_KEPT = 4;
/** Staged in pieces of this size: far under the service's block limit. */
const BLOCK_BYTES = 8 * 1024 * 1024;

export interface SuppressionInfo {
  count: number;
  updatedAt: string | null;
  updatedBy: IdentityRef | null;
}

export const suppressionBlobName = (connectionId: string): string =>
  `suppressions/${encodeURIComponent(connectionId)}.bin`;

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/**
 * One suppression list per connection in the state container: its digests in stored form (sorted,
 * unique, `DigestList`) as one block blob. A replacement stages its blocks, invisible, then commits
 * them in one call: a failed upload leaves the old list as it was.
 */
export function createSuppressionStore(container: () => ContainerClient) {
  const ensure = ensureContainerOnce(container);
  const loaded = new Map<string, { etag: string; list: DigestList }>();
  const blob = (connectionId: string) => container().getBlockBlobClient(suppressionBlobName(connectionId));

  return {
    async replace(connectionId: string, list: DigestList, hash: MemberHash, by: IdentityRef, at: Date) {
      await ensure();
      const client = blob(connectionId);
      const blockIds: string[] = [];
      for (let offset = 0; offset < list.bytes.length; offset += BLOCK_BYTES) {
        const piece = list.bytes.subarray(offset, offset + BLOCK_BYTES);
        const blockId = Buffer.from(randomUUID()).toString('base64');
        await client.stageBlock(blockId, piece, piece.length, {
          transactionalContentMD5: createHash('md5').update(piece).digest(),
        });
        blockIds.push(blockId);
      }
      await client.commitBlockList(blockIds, {
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        metadata: {
          hash,
          count: String(list.size),
          updatedat: at.toISOString(),
          updatedbyid: encodeURIComponent(by.id),
          updatedbyname: encodeURIComponent(by.name),
        },
      });
    },

    async info(connectionId: string): Promise<SuppressionInfo> {
      await ensure();
      try {
        const { metadata = {} } = await blob(connectionId).getProperties();
        return {
          count: Number(metadata.count ?? 0),
          updatedAt: metadata.updatedat ?? null,
          updatedBy: {
            id: decodeURIComponent(metadata.updatedbyid ?? ''),
            name: decodeURIComponent(metadata.updatedbyname ?? ''),
          },
        };
      } catch (error) {
        if (statusOf(error) === 404) return { count: 0, updatedAt: null, updatedBy: null };
        throw error;
      }
    },

    /**
     * The list for the worker; an empty one when the connection has none. The last lists loaded are
     * kept by ETag, so the segments of one run (and later runs) on this instance download a list once;
     * a replaced list has a new ETag and is downloaded again.
     */
    async load(connectionId: string, digestBytes: number): Promise<DigestList> {
      await ensure();
      const client = blob(connectionId);
      try {
        const { etag } = await client.getProperties();
        const cached = loaded.get(connectionId);
        if (cached && cached.etag === etag && cached.list.digestBytes === digestBytes) return cached.list;
        const bytes = await client.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } });
        const list = DigestList.fromSorted(bytes, digestBytes);
        loaded.delete(connectionId);
        loaded.set(connectionId, { etag: etag ?? '', list });
        if (loaded.size > LISTS_KEPT) loaded.delete(loaded.keys().next().value!);
        return list;
      } catch (error) {
        if (statusOf(error) === 404) return DigestList.empty(digestBytes);
        throw error;
      }
    },

    async remove(connectionId: string): Promise<void> {
      await ensure();
      await blob(connectionId).deleteIfExists();
    },
  };
}

export type SuppressionStore = ReturnType<typeof createSuppressionStore>;
