import type {
  AccessTokenProvider,
  Audience,
  AudienceDestination,
  DestinationAccount,
  DestinationLimits,
  TokenGrant,
} from '../../../shared/destinations/destination';
import { DestinationError } from '../../../shared/destinations/destinationError';

/**
 * A second destination, for tests only: an ad platform that keeps its audiences in memory and takes
 * SHA-256 digests. It is what a new platform brings: this one folder, and one registration
 * (`createDestinations(destination)`).
 */
export const MEMORY = 'memory';
export const MEMORY_ADVERTISER = 'ADV-MEMORY-1';

export interface MemoryAudience {
  audienceId: string;
  advertiserId: string;
  name: string;
  members: Set<string>;
}

export function createMemoryDestination(limits: Partial<DestinationLimits> = {}) {
  const audiences = new Map<string, MemoryAudience>();
  /** Calls made, by name; the access token each carried. */
  const calls: { call: string; token: string }[] = [];
  /** Errors the next calls fail with, in order. */
  const faults: DestinationError[] = [];
  let issued = 0;

  const grant = (): TokenGrant => {
    issued += 1;
    return {
      accessToken: `memory-access-${issued}`,
      refreshToken: `memory-refresh-${issued}`,
      expiresInSeconds: 3600,
      scope: 'audiences',
    };
  };
  const view = (audience: MemoryAudience): Audience => ({
    audienceId: audience.audienceId,
    name: audience.name,
    type: 'hashedEmails',
    memberCount: audience.members.size,
  });
  const existing = (audienceId: string): MemoryAudience => {
    const audience = audiences.get(audienceId);
    if (!audience) throw new DestinationError('NOT_FOUND', 'permanent', `No audience ${audienceId}.`);
    return audience;
  };

  function forConnection(tokens: AccessTokenProvider): DestinationAccount {
    const call = async (name: string) => {
      calls.push({ call: name, token: await tokens.get() });
      const fault = faults.shift();
      if (fault) throw fault;
    };
    return {
      async verifyAccount() {
        await call('verifyAccount');
        return { id: 'memory-account', name: 'Memory account' };
      },
      async listAdvertisers() {
        await call('listAdvertisers');
        return [{ id: MEMORY_ADVERTISER, name: 'Memory advertiser' }];
      },
      async verifyAdvertiser(advertiserId) {
        await call('verifyAdvertiser');
        if (advertiserId !== MEMORY_ADVERTISER) {
          throw new DestinationError('NOT_FOUND', 'permanent', `No advertiser ${advertiserId}.`);
        }
        return { id: advertiserId, name: 'Memory advertiser' };
      },
      async findAudiences(advertiserId, name) {
        await call('findAudiences');
        return [...audiences.values()]
          .filter((a) => a.advertiserId === advertiserId && a.name === name)
          .map(view);
      },
      async createAudience(advertiserId, name, members, options) {
        await call('createAudience');
        options?.onRequestSent?.();
        const audience = {
          audienceId: `aud-${audiences.size + 1}`,
          advertiserId,
          name,
          members: new Set(members),
        };
        audiences.set(audience.audienceId, audience);
        return view(audience);
      },
      async replaceAudience(audienceId, name, members, options) {
        await call('replaceAudience');
        options?.onRequestSent?.();
        const audience = existing(audienceId);
        audience.name = name;
        audience.members = new Set(members);
        return view(audience);
      },
      async readAudience(audienceId) {
        await call('readAudience');
        return view(existing(audienceId));
      },
    };
  }

  const destination: AudienceDestination = {
    type: MEMORY,
    name: 'Memory Ads',
    members: { hash: 'sha256' },
    limits: { minMembers: 100, maxMembers: 1_000, resendAfterDays: 30, dailyRequests: null, ...limits },
    signIn: {
      authorizeUrl: (state, redirectUri) =>
        `https://memory.invalid/authorize?${new URLSearchParams({ state, redirect_uri: redirectUri })}`,
      exchangeCode: async () => grant(),
      refresh: async () => grant(),
    },
    forConnection,
  };
  return { destination, audiences, calls, faults };
}
