import type { AppConfig } from '../../config/config';
import { silentLogger, type Logger } from '../../logging/logger';
import type { AccessTokenProvider, AudienceDestination } from '../destination';
import { createRollWorksAccount, type RollWorksAccount } from './endpoints';
import { createRollWorksSignIn } from './oauth';
import type { RequestBudget } from './requestBudget';
import { createTransport, type TransportDeps } from './transport';

/**
 * RollWorks (AdRoll ABM) and AdRoll: one API at services.adroll.com, one destination. Split by
 * concern: `transport` (retries, backoff, the daily budget), `oauth`, `endpoints`, `membersBody`.
 */
export const ROLLWORKS = 'rollworks';

export type RollWorksSettings = Pick<
  AppConfig,
  | 'ROLLWORKS_API_BASE_URL'
  | 'ROLLWORKS_AUTH_BASE_URL'
  | 'ROLLWORKS_CLIENT_ID'
  | 'ROLLWORKS_CLIENT_SECRET'
  | 'ROLLWORKS_MAX_REQUEST_BYTES'
  | 'ROLLWORKS_REQUEST_TIMEOUT_MS'
  | 'ROLLWORKS_RETRY_BUDGET_MS'
  | 'ROLLWORKS_DAILY_REQUEST_BUDGET'
  | 'SEGMENT_MIN_PROFILES'
  | 'SEGMENT_MAX_PROFILES'
  | 'RESEND_AFTER_DAYS'
>;

export interface RollWorksDeps extends Omit<TransportDeps, 'logger'> {
  budget: RequestBudget;
  logger?: Logger;
  /** The OAuth client secret (Key Vault `rollworks-client-secret` in Azure); default: the setting. */
  getClientSecret?: () => Promise<string>;
}

export interface RollWorksDestination extends AudienceDestination {
  forConnection(tokens: AccessTokenProvider): RollWorksAccount;
}

export function createRollWorksDestination(
  config: RollWorksSettings,
  deps: RollWorksDeps,
): RollWorksDestination {
  const send = createTransport(config, { ...deps, logger: deps.logger ?? silentLogger });
  const getClientSecret =
    deps.getClientSecret ??
    (async () => {
      if (!config.ROLLWORKS_CLIENT_SECRET) {
        throw new Error('The RollWorks client secret is not configured (secret rollworks-client-secret).');
      }
      return config.ROLLWORKS_CLIENT_SECRET;
    });
  return {
    type: ROLLWORKS,
    name: 'RollWorks',
    // CRM lists take plain addresses or MD5 hex digests; SHA-256 is not accepted.
    members: { hash: 'md5' },
    // NextRoll's reference calls the data of a replace "records to add".
    readBackWrites: true,
    limits: {
      minMembers: config.SEGMENT_MIN_PROFILES,
      maxMembers: config.SEGMENT_MAX_PROFILES,
      resendAfterDays: config.RESEND_AFTER_DAYS,
      dailyRequests: config.ROLLWORKS_DAILY_REQUEST_BUDGET,
    },
    signIn: createRollWorksSignIn(config, send, getClientSecret),
    forConnection: (tokens) => createRollWorksAccount(config, send, tokens),
  };
}
