import { createHash, randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { ensureContainerOnce } from '../storage/containers';

/** What was last sent successfully for one (export, segment): the sorted members and how. */
export interface SentSnapshot {
  members: string[];
  sentAt: Date;
  audienceId: string;
  runId: string;
  result: { sent: number; added: number; removed: number };
}

export const snapshotBlobName = (exportId: string, segment: string): string =>
  `snapshots/${encodeURIComponent(exportId)}/${encodeURIComponent(segment)}.txt`;

/** Sent-member snapshots in the state container: one newline-separated sorted list per blob. */
export function createSnapshotStore(container: () => ContainerClient) {
  const ensure = ensureContainerOnce(container);

  return {
    ensureContainer: ensure,

    async read(exportId: string, segment: string): Promise<SentSnapshot | undefined> {
      await ensure();
      const blob = container().getBlockBlobClient(snapshotBlobName(exportId, segment));
      let response;
      try {
        response = await blob.download();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const meta = response.metadata ?? {};
      return {
        members: text === '' ? [] : text.split('\n'),
        sentAt: new Date(meta.sentat ?? 0),
        audienceId: meta.audienceid ?? '',
        runId: decodeURIComponent(meta.runid ?? ''),
        result: {
          sent: Number(meta.sent ?? 0),
          added: Number(meta.added ?? 0),
          removed: Number(meta.removed ?? 0),
        },
      };
    },

    /**
     * Uploads the members as an uncommitted block: invisible until `commit`, so it can travel while
     * the RollWorks request is in flight and be discarded if that request fails.
     */
    async stage(exportId: string, segment: string, members: readonly string[]): Promise<string> {
      await ensure();
      const body = Buffer.from(members.join('\n'), 'utf8');
      const blockId = Buffer.from(randomUUID()).toString('base64');
      // With a Content-MD5 the service checks the block's integrity with it (and Azurite then skips
      // its much slower CRC-64 of the whole block).
      await container()
        .getBlockBlobClient(snapshotBlobName(exportId, segment))
        .stageBlock(blockId, body, body.length, {
          transactionalContentMD5: createHash('md5').update(body).digest(),
        });
      return blockId;
    },

    /** Makes a staged list the last successful send, with what was sent. */
    async commit(exportId: string, segment: string, blockId: string, sent: Omit<SentSnapshot, 'members'>) {
      await container()
        .getBlockBlobClient(snapshotBlobName(exportId, segment))
        .commitBlockList([blockId], {
          blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' },
          metadata: {
            sentat: sent.sentAt.toISOString(),
            audienceid: sent.audienceId,
            runid: encodeURIComponent(sent.runId),
            sent: String(sent.result.sent),
            added: String(sent.result.added),
            removed: String(sent.result.removed),
          },
        });
    },
  };
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>;
