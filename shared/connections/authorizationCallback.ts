import type { Clock } from '../clock';
import type { AudienceDestination, NamedEntity } from '../destinations/destination';
import { DestinationError } from '../destinations/destinationError';
import type { Logger } from '../logging/logger';
import type { AuthorizationOutcome } from './authorizationOutcome';
import { toConnection, type ConnectionRecords } from './connectionRecords';
import { grantToTokens, type ConnectionTokens } from './connectionTokens';
import type { OAuthStates } from './oauthStates';
import type { OAuthCallbackQuery } from './schemas';
import { stateFailure } from './stateFailure';

export interface AuthorizationCallbackDeps {
  records: ConnectionRecords;
  states: OAuthStates;
  tokens: ConnectionTokens;
  clock: Clock;
  destination: () => AudienceDestination;
  redirectUri: string;
  stateTtlSeconds: number;
  recordFailure(connectionId: string, code: string, message: string): Promise<void>;
}

/**
 * Completes the destination's redirect back to the app: checks the single-use state, exchanges the
 * code, verifies the account, then stores the tokens before recording the connection as authorized.
 * Never throws for a bad or abusive request: every refusal is an outcome the page explains.
 */
export function createAuthorizationCallback(deps: AuthorizationCallbackDeps) {
  const { records, states, tokens, clock, destination, redirectUri, recordFailure } = deps;
  return {
    async complete(query: OAuthCallbackQuery, log: Logger): Promise<AuthorizationOutcome> {
      if (!query.state) {
        return failure(
          'STATE_MISSING',
          'The sign-in response has no state. Start the authorization again from the app.',
        );
      }
      const consumed = await states.consume(query.state);
      if (!consumed.ok) {
        log.warn('oauth callback with an unusable state', {
          reason: consumed.reason,
          connectionId: consumed.connectionId,
        });
        const { code, message } = stateFailure(consumed.reason, deps.stateTtlSeconds);
        return failure(code, message);
      }
      const connectionId = consumed.connectionId;
      const record = await records.read(connectionId);
      if (!record) {
        return failure('CONNECTION_NOT_FOUND', 'The connection this sign-in was for no longer exists.');
      }
      const about = { id: record.id, displayName: record.displayName };

      if (query.error) {
        const denied = query.error === 'access_denied';
        const code = denied ? 'AUTHORIZATION_DENIED' : 'AUTHORIZATION_FAILED';
        const message = denied
          ? 'The RollWorks user denied access (pressed Deny), so the connection is not authorized. Start the authorization again and press Allow.'
          : `RollWorks did not authorize the connection (error "${query.error.replace(/[^\w.-]/g, '').slice(0, 64)}"). Start the authorization again.`;
        await recordFailure(connectionId, code, message);
        log.warn('authorization refused by RollWorks', { connectionId, code });
        return failure(code, message, about);
      }
      if (!query.code) {
        const message = 'The sign-in response has no authorization code. Start the authorization again.';
        await recordFailure(connectionId, 'CODE_MISSING', message);
        return failure('CODE_MISSING', message, about);
      }

      let grant;
      try {
        grant = await destination().signIn.exchangeCode(query.code, redirectUri);
      } catch (error) {
        const message = `RollWorks did not accept the sign-in (${describeFailure(error)}). Start the authorization again.`;
        await recordFailure(connectionId, 'CODE_EXCHANGE_FAILED', message);
        log.warn('authorization code exchange failed', { connectionId, error: errorCode(error) });
        return failure('CODE_EXCHANGE_FAILED', message, about);
      }
      let organization: NamedEntity;
      try {
        const accessToken = grant.accessToken;
        organization = await destination()
          .forConnection({ get: async () => accessToken, refresh: async () => accessToken })
          .verifyAccount();
      } catch (error) {
        const message = `The RollWorks token could not be verified with organization/get (${describeFailure(error)}). Start the authorization again.`;
        await recordFailure(connectionId, 'ORGANIZATION_CHECK_FAILED', message);
        log.warn('organization check failed', { connectionId, error: errorCode(error) });
        return failure('ORGANIZATION_CHECK_FAILED', message, about);
      }

      // Tokens go to the secret store before anything records the connection as authorized.
      await tokens.store(connectionId, grantToTokens(grant, clock.now()));
      const authorizedAt = clock.now().toISOString();
      const updated = await records.update(connectionId, (current) => ({
        ...current,
        account: organization,
        authorization: { by: consumed.admin, at: authorizedAt },
        reauthorizationRequired: false,
        lastError: null,
        updatedAt: authorizedAt,
      }));
      if (!updated) {
        await tokens.remove(connectionId); // deleted while signing in: keep no orphaned tokens
        return failure('CONNECTION_NOT_FOUND', 'The connection this sign-in was for was deleted meanwhile.');
      }
      const connection = toConnection(updated);
      log.info('connection authorized', { connectionId, status: connection.status });
      return {
        ok: true,
        connection: { id: connection.id, displayName: connection.displayName, status: connection.status },
        organizationName: organization.name,
      };
    },
  };
}

function failure(
  code: Extract<AuthorizationOutcome, { ok: false }>['code'],
  message: string,
  connection?: { id: string; displayName: string },
): AuthorizationOutcome {
  return { ok: false, code, message, connection };
}

/** A short, safe description of a destination failure (never a token or code). */
function describeFailure(error: unknown): string {
  if (error instanceof DestinationError) {
    return error.status ? `${error.code}, HTTP ${error.status}` : error.code;
  }
  return 'unexpected error';
}

const errorCode = (error: unknown) => (error instanceof DestinationError ? error.code : 'unknown');
