import type { Clock } from '../clock';
import type { ConnectionService } from '../connections/connectionService';
import { DIGEST_BYTES, type MemberHash } from '../destinations/destination';
import type { Destinations } from '../destinations/registry';
import { NotFoundError } from '../errors/domainErrors';
import type { TextBody } from '../http/route';
import type { Logger } from '../logging/logger';
import type { IdentityRef } from '../model/identity';
import type { DigestList } from './digestList';
import type { SuppressionInfo, SuppressionStore } from './suppressionStore';
import { parseUpload, type UploadRejection } from './suppressionUpload';

export interface SuppressionReplaced extends SuppressionInfo {
  /** Distinct digests now in the list (`count`). */
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first rejected lines: line number and reason, never the value. */
  rejections: UploadRejection[];
}

export interface SuppressionServiceDeps {
  clock: Clock;
  connections: Pick<ConnectionService, 'get'>;
  destinations: Pick<Destinations, 'get'>;
  store: SuppressionStore;
}

/** One suppression list per connection: members on it are never sent by any export using the connection. */
export function createSuppressionService(deps: SuppressionServiceDeps) {
  const { store } = deps;
  const hashOf = async (connectionId: string): Promise<MemberHash> => {
    const connection = await deps.connections.get(connectionId);
    if (!connection) {
      throw new NotFoundError(`Connection ${connectionId} does not exist.`, {
        code: 'CONNECTION_NOT_FOUND',
        field: 'id',
      });
    }
    return deps.destinations.get(connection.type).members.hash;
  };

  return {
    /** Replaces the whole list with the body's values; the old list stays if anything fails. */
    async replace(
      connectionId: string,
      body: TextBody,
      column: string | undefined,
      by: IdentityRef,
      logger: Logger,
    ): Promise<SuppressionReplaced> {
      const hash = await hashOf(connectionId);
      const parsed = await parseUpload(body, hash, column);
      const updatedAt = deps.clock.now();
      await store.replace(connectionId, parsed.list, hash, by, updatedAt);
      const { size } = parsed.list;
      logger.info('suppression list replaced', {
        connectionId,
        count: size,
        duplicates: parsed.duplicates,
        rejected: parsed.rejected,
      });
      return {
        count: size,
        updatedAt: updatedAt.toISOString(),
        updatedBy: by,
        accepted: size,
        duplicates: parsed.duplicates,
        rejected: parsed.rejected,
        rejections: parsed.rejections,
      };
    },

    async get(connectionId: string): Promise<SuppressionInfo> {
      await hashOf(connectionId);
      return store.info(connectionId);
    },

    async clear(connectionId: string, logger: Logger): Promise<void> {
      await hashOf(connectionId);
      await store.remove(connectionId);
      logger.info('suppression list cleared', { connectionId });
    },

    /** Deletes the list without looking the connection up: for deleting a connection. */
    remove: (connectionId: string): Promise<void> => store.remove(connectionId),

    /** The worker's view: the list as digests of `hash` (empty when there is none). */
    load: (connectionId: string, hash: MemberHash): Promise<DigestList> =>
      store.load(connectionId, DIGEST_BYTES[hash]),
  };
}

export type SuppressionService = ReturnType<typeof createSuppressionService>;
