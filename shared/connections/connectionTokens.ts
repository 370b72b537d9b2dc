import type { Clock } from '../clock';
import type { Logger } from '../logging/logger';
import { connectionSecretNames, type OAuthTokens } from '../model/connection';
import type { SecretStore } from '../secrets/secretStore';
import type { AccessTokenProvider, DestinationSignIn, TokenGrant } from '../destinations/destination';
import { DestinationError } from '../destinations/destinationError';
import type { RefreshLeases } from './refreshLease';

/** Tokens as kept in the secret store; `issuedAt` lets the refresh margin follow the token lifetime. */
export interface StoredTokens extends OAuthTokens {
  issuedAt?: string;
}

/** Thrown when a connection has no usable tokens: never authorized, or the destination rejected its refresh token. */
export class ConnectionNotAuthorizedError extends DestinationError {
  constructor(
    readonly connectionId: string,
    readonly reason: 'notAuthorized' | 'reauthorizationRequired',
    message: string,
  ) {
    super('INVALID_GRANT', 'auth', message, { status: 401 });
    this.name = 'ConnectionNotAuthorizedError';
  }
}

export const REAUTHORIZATION_MESSAGE =
  'RollWorks rejected the refresh token (invalid_grant): the sign-in was revoked, expired or used elsewhere. An administrator must authorize the connection again (POST /api/connections/{id}/authorize).';

const MAX_REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SAVE_ATTEMPTS = 3;

export interface ConnectionTokensOptions {
  secrets: SecretStore;
  leases: RefreshLeases;
  /** The sign-in of the connections' destination (its refresh call). */
  signIn: () => DestinationSignIn;
  clock: Clock;
  logger: Logger;
  /** Called once RollWorks rejected a refresh token (mark the connection). */
  onRefreshRejected(connectionId: string): Promise<void>;
}

export function grantToTokens(grant: TokenGrant, now: Date): StoredTokens {
  return {
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    expiresAt: new Date(now.getTime() + grant.expiresInSeconds * 1000).toISOString(),
    issuedAt: now.toISOString(),
  };
}

/**
 * Access tokens per connection. Refresh happens before expiry (a margin of a tenth of the token's
 * lifetime, at most 5 minutes), at most once at a time per connection in this instance and, through a
 * lease row, across all instances; the rotated refresh token is stored before the new access token is
 * handed out, because RollWorks refresh tokens are single-use.
 */
export function createConnectionTokens(options: ConnectionTokensOptions) {
  const { secrets, leases, clock } = options;
  const cache = new Map<string, StoredTokens>();
  const inFlight = new Map<string, Promise<string>>();

  const load = async (connectionId: string): Promise<StoredTokens | undefined> => {
    const raw = await secrets.get(connectionSecretNames(connectionId).tokens);
    if (!raw) return undefined;
    const tokens = JSON.parse(raw) as StoredTokens;
    cache.set(connectionId, tokens);
    return tokens;
  };

  const nearExpiry = (tokens: StoredTokens): boolean => {
    const expiresAt = Date.parse(tokens.expiresAt);
    const issuedAt = tokens.issuedAt ? Date.parse(tokens.issuedAt) : Number.NaN;
    const lifetime = Number.isFinite(issuedAt) ? expiresAt - issuedAt : Number.POSITIVE_INFINITY;
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetime / 10);
    return clock.now().getTime() >= expiresAt - margin;
  };

  const notAuthorized = (connectionId: string) =>
    new ConnectionNotAuthorizedError(
      connectionId,
      'notAuthorized',
      `Connection ${connectionId} has no RollWorks tokens: an administrator must authorize it first.`,
    );

  async function save(connectionId: string, tokens: StoredTokens): Promise<void> {
    const name = connectionSecretNames(connectionId).tokens;
    for (let attempt = 1; ; attempt++) {
      try {
        await secrets.set(name, JSON.stringify(tokens));
        cache.set(connectionId, tokens);
        return;
      } catch (error) {
        if (attempt >= SAVE_ATTEMPTS) throw error;
      }
    }
  }

  /** Under the connection's lease: re-reads the stored tokens and refreshes them if `stale` still says so. */
  async function refreshUnderLease(
    connectionId: string,
    stale: (stored: StoredTokens) => boolean,
    logger: Logger,
  ): Promise<string> {
    const lease = await leases.acquire(connectionId);
    try {
      const stored = await load(connectionId);
      if (!stored) throw notAuthorized(connectionId);
      if (!stale(stored)) return stored.accessToken; // another instance refreshed meanwhile
      let grant: TokenGrant;
      try {
        grant = await options.signIn().refresh(stored.refreshToken);
      } catch (error) {
        if (!(error instanceof DestinationError) || error.code !== 'INVALID_GRANT') throw error;
        const latest = await load(connectionId);
        if (latest && latest.refreshToken !== stored.refreshToken) return latest.accessToken;
        logger.warn('refresh token rejected; connection needs authorizing again', { connectionId });
        cache.delete(connectionId);
        await secrets.delete(connectionSecretNames(connectionId).tokens);
        await options.onRefreshRejected(connectionId);
        throw new ConnectionNotAuthorizedError(
          connectionId,
          'reauthorizationRequired',
          REAUTHORIZATION_MESSAGE,
        );
      }
      const next = grantToTokens(grant, clock.now());
      await save(connectionId, next);
      logger.info('access token refreshed', { connectionId });
      return next.accessToken;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** One refresh at a time per connection in this instance; concurrent callers share its result. */
  function refreshOnce(
    connectionId: string,
    stale: (stored: StoredTokens) => boolean,
    logger: Logger,
  ): Promise<string> {
    let pending = inFlight.get(connectionId);
    if (!pending) {
      pending = refreshUnderLease(connectionId, stale, logger).finally(() => inFlight.delete(connectionId));
      inFlight.set(connectionId, pending);
    }
    return pending;
  }

  return {
    provider(connectionId: string, logger: Logger = options.logger): AccessTokenProvider {
      let lastHandedOut: string | undefined;
      return {
        async get() {
          const tokens = cache.get(connectionId) ?? (await load(connectionId));
          if (!tokens) throw notAuthorized(connectionId);
          lastHandedOut = nearExpiry(tokens)
            ? await refreshOnce(connectionId, nearExpiry, logger)
            : tokens.accessToken;
          return lastHandedOut;
        },
        async refresh() {
          const seen =
            lastHandedOut ?? cache.get(connectionId)?.accessToken ?? (await load(connectionId))?.accessToken;
          if (!seen) throw notAuthorized(connectionId);
          lastHandedOut = await refreshOnce(
            connectionId,
            (stored) => stored.accessToken === seen || nearExpiry(stored),
            logger,
          );
          return lastHandedOut;
        },
      };
    },

    /** Stores the tokens of a completed sign-in (replacing any earlier ones). */
    store: save,

    async remove(connectionId: string): Promise<void> {
      cache.delete(connectionId);
      await secrets.delete(connectionSecretNames(connectionId).tokens);
    },
  };
}

export type ConnectionTokens = ReturnType<typeof createConnectionTokens>;
