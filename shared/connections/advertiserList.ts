import type { Services } from '../services';
import type { Principal } from '../model/identity';
import { DestinationError } from '../destinations/destinationError';
import { InvalidError, NotFoundError, UnavailableError } from '../errors/domainErrors';
import { mayUseConnection } from '../exports/access';
import type { AdvertiserList } from './advertiserSchemas';

/**
 * The advertisers a connection reaches and the segment sizes it takes, for the Add export form. One
 * destination request. Contributors ask only about connections shared with them (others are a 404).
 */
export async function listConnectionAdvertisers(
  services: Services,
  principal: Principal,
  connectionId: string,
): Promise<AdvertiserList> {
  const connection = await services.connections.get(connectionId);
  if (!connection || !mayUseConnection(principal, connection)) {
    throw new NotFoundError(`Connection ${connectionId} does not exist.`, {
      code: 'CONNECTION_NOT_FOUND',
      field: 'id',
    });
  }
  if (!connection.rollworks) {
    throw new InvalidError(`Connection "${connection.displayName}" is not signed in to RollWorks yet.`, {
      code: 'CONNECTION_NOT_READY',
      field: 'connectionId',
    });
  }
  const account = services.destinations
    .get(connection.type)
    .forConnection(services.connections.tokenProvider(connection.id));
  let advertisers: AdvertiserList['advertisers'];
  try {
    advertisers = await account.listAdvertisers();
  } catch (error) {
    if (!(error instanceof DestinationError)) throw error;
    if (error.kind === 'auth') {
      throw new InvalidError(
        `RollWorks refused the token of connection "${connection.displayName}"; an admin must authorize it again.`,
        { code: 'CONNECTION_REAUTHORIZATION_REQUIRED', field: 'connectionId' },
      );
    }
    throw new UnavailableError(`RollWorks could not list the advertisers (${error.code}).`, {
      code: 'ROLLWORKS_UNAVAILABLE',
      field: 'advertiserId',
      retryAfterSeconds: Math.ceil((error.retryAfterMs ?? 30_000) / 1000),
    });
  }
  const { SEGMENT_MIN_PROFILES: minProfiles, SEGMENT_MAX_PROFILES: systemMax } = services.config;
  return {
    advertisers,
    segmentLimits: { minProfiles, maxProfiles: Math.min(systemMax, connection.profileLimit ?? systemMax) },
  };
}
