/** Token response of RollWorks' OAuth token endpoint, in our names. */
export interface OAuthTokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scope: string;
}

export interface CrmAudience {
  segmentId: string;
  name: string;
  type: string;
  /** Member count RollWorks reports. */
  emails: number;
}

export type RollWorksErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'NETWORK'
  | 'REQUEST_TOO_LARGE'
  | 'INVALID_GRANT'
  | 'DAILY_BUDGET_EXHAUSTED';

export class RollWorksError extends Error {
  constructor(
    readonly code: RollWorksErrorCode,
    message: string,
    readonly details: {
      status?: number;
      /** Server-suggested wait before retrying. */
      retryAfterMs?: number;
      /** A write may or may not have happened (timeout, reset after sending). */
      outcomeUnknown?: boolean;
      /** DAILY_BUDGET_EXHAUSTED: when the daily request budget resets (next UTC midnight). */
      resetsAt?: Date;
    } = {},
  ) {
    super(message);
    this.name = 'RollWorksError';
  }

  get retryable(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'SERVER_ERROR' || this.code === 'NETWORK';
  }
}

/** Supplies a connection's access token; `refresh` forces a new one (after a 401). */
export interface AccessTokenProvider {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

/** OAuth calls (not bound to a connection). */
export interface RollWorksAuth {
  authorizeUrl(state: string, redirectUri: string): string;
  exchangeCode(code: string, redirectUri: string): Promise<OAuthTokenGrant>;
  refresh(refreshToken: string): Promise<OAuthTokenGrant>;
}

export interface MemberWriteOptions {
  /** Called once, when the request body has been handed to the network (first attempt). */
  onRequestSent?: () => void;
}

/** API calls on behalf of one connection. */
export interface RollWorksApi {
  getOrganization(): Promise<{ eid: string; name: string }>;
  listAdvertiserIds(): Promise<string[]>;
  /** The advertisers the connection's RollWorks user reaches, with their names (one request). */
  listAdvertisers(): Promise<{ eid: string; name: string }[]>;
  getAdvertisable(eid: string): Promise<{ eid: string; name: string }>;
  createCrmAudience(
    advertiserId: string,
    name: string,
    emails: readonly string[],
    options?: MemberWriteOptions,
  ): Promise<CrmAudience>;
  replaceCrmAudience(
    segmentId: string,
    name: string,
    emails: readonly string[],
    options?: MemberWriteOptions,
  ): Promise<CrmAudience>;
  getAudience(segmentId: string): Promise<CrmAudience>;
  listCrmAudiences(advertiserId: string): Promise<CrmAudience[]>;
  deleteAudience(segmentId: string): Promise<void>;
}

export interface RollWorksClient {
  auth: RollWorksAuth;
  forConnection(tokens: AccessTokenProvider): RollWorksApi;
}
