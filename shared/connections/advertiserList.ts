import type { Services } from '../services';
import type { Principal } from '../model/identity';
import { notFound, ProblemError, unprocessable } from '../http/problem';
import { mayUseConnection } from '../exports/access';
import { RollWorksError } from '../rollworks/types';
import type { AdvertiserList } from './advertiserSchemas';

const REFUSED_TOKEN = ['UNAUTHORIZED', 'INVALID_GRANT', 'FORBIDDEN'];

/**
 * The advertisers a connection reaches and the segment sizes it takes, for the Add export form. One
 * RollWorks request. Contributors ask only about connections shared with them (others are a 404).
 */
export async function listConnectionAdvertisers(
  services: Services,
  principal: Principal,
  connectionId: string,
): Promise<AdvertiserList> {
  const connection = await services.connections.get(connectionId);
  if (!connection || !mayUseConnection(principal, connection)) {
    throw notFound(`Connection ${connectionId} does not exist.`, {
      code: 'CONNECTION_NOT_FOUND',
      field: 'id',
    });
  }
  if (!connection.rollworks) {
    throw unprocessable(`Connection "${connection.displayName}" is not signed in to RollWorks yet.`, {
      code: 'CONNECTION_NOT_READY',
      field: 'connectionId',
    });
  }
  const api = services.rollworks.forConnection(services.connections.tokenProvider(connection.id));
  let advertisers: { eid: string; name: string }[];
  try {
    advertisers = await api.listAdvertisers();
  } catch (error) {
    if (!(error instanceof RollWorksError)) throw error;
    if (REFUSED_TOKEN.includes(error.code)) {
      throw unprocessable(
        `RollWorks refused the token of connection "${connection.displayName}"; an admin must authorize it again.`,
        { code: 'CONNECTION_REAUTHORIZATION_REQUIRED', field: 'connectionId' },
      );
    }
    throw new ProblemError(
      503,
      'Service unavailable',
      `RollWorks could not list the advertisers (${error.code}).`,
      {
        code: 'ROLLWORKS_UNAVAILABLE',
        field: 'advertiserId',
      },
    );
  }
  const { SEGMENT_MIN_PROFILES: minProfiles, SEGMENT_MAX_PROFILES: systemMax } = services.config;
  return {
    advertisers: advertisers.map(({ eid, name }) => ({ id: eid, name })),
    segmentLimits: { minProfiles, maxProfiles: Math.min(systemMax, connection.profileLimit ?? systemMax) },
  };
}
