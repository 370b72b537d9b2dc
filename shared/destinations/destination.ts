/**
 * An ad platform that holds audiences of people matched by their email: the one seam between the
 * export core and a platform's API. Each destination lives in its own folder next to this file and is
 * registered once, in `shared/services.ts`. Every call that fails throws a `DestinationError` whose
 * `kind` the destination chose, so the core never looks at a platform's status codes.
 */
export interface AudienceDestination {
  /** `Connection.type` of the connections to this destination, e.g. `rollworks`. */
  readonly type: string;
  /** The platform's name as users read it in messages, e.g. `RollWorks`. */
  readonly name: string;
  readonly members: MemberEncoding;
  readonly limits: DestinationLimits;
  readonly signIn: DestinationSignIn;
  /**
   * The platform's replace is not known to replace (it may append): the worker reads the audience
   * back after its first write and after writes that removed members, and warns when it holds more.
   */
  readonly readBackWrites?: boolean;
  /** The calls made with one connection's tokens. */
  forConnection(tokens: AccessTokenProvider): DestinationAccount;
}

export type MemberHash = 'md5' | 'sha256';

/** Bytes of one digest of each hash. */
export const DIGEST_BYTES: Record<MemberHash, number> = { md5: 16, sha256: 32 };

/** How members are sent when an export hashes them: this hash, in lower-case hex, of the normalized email. */
export interface MemberEncoding {
  hash: MemberHash;
}

export interface DestinationLimits {
  /** Fewest unique members an audience may have. */
  minMembers: number;
  /** Most members one export may send (a connection's contract may allow fewer). */
  maxMembers: number;
  /** An unchanged audience is sent again after this many days, before the destination lets it expire. */
  resendAfterDays: number;
  /** Requests this application may make per UTC day; null when the destination sets no such budget. */
  dailyRequests: number | null;
}

/** Tokens a completed sign-in or a refresh returns. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scope: string;
}

/** Supplies a connection's access token; `refresh` forces a new one (after a 401). */
export interface AccessTokenProvider {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

/** The OAuth authorization-code sign-in (not bound to a connection). */
export interface DestinationSignIn {
  authorizeUrl(state: string, redirectUri: string): string;
  exchangeCode(code: string, redirectUri: string): Promise<TokenGrant>;
  /** Fails with code `INVALID_GRANT` when the refresh token is revoked, expired or already used. */
  refresh(refreshToken: string): Promise<TokenGrant>;
}

/** An account or advertiser at the destination: its id and display name. */
export interface NamedEntity {
  id: string;
  name: string;
}

export interface Audience {
  audienceId: string;
  name: string;
  /** The destination's kind of audience (RollWorks: `crm`). */
  type: string;
  /** Members the destination reports holding. */
  memberCount: number;
}

export interface MemberWriteOptions {
  /** Called once, when the request body has been handed to the network (first attempt). */
  onRequestSent?: () => void;
}

/** Calls on behalf of one connection. */
export interface DestinationAccount {
  /** Proves the token: the account (organization) it belongs to. */
  verifyAccount(): Promise<NamedEntity>;
  /** The advertisers the account may write audiences to, with their names (one request). */
  listAdvertisers(): Promise<NamedEntity[]>;
  /** One advertiser the account can see, for its display name. */
  verifyAdvertiser(advertiserId: string): Promise<NamedEntity>;
  /** The advertiser's audiences with exactly this name (normally none or one). */
  findAudiences(advertiserId: string, name: string): Promise<Audience[]>;
  createAudience(
    advertiserId: string,
    name: string,
    members: readonly string[],
    options?: MemberWriteOptions,
  ): Promise<Audience>;
  /** Makes the audience hold exactly `members`. */
  replaceAudience(
    audienceId: string,
    name: string,
    members: readonly string[],
    options?: MemberWriteOptions,
  ): Promise<Audience>;
  readAudience(audienceId: string): Promise<Audience>;
  /**
   * Members of each audience the platform matched to people it can reach, by audience id (absent for
   * an audience it says nothing about); absent when the platform does not report it.
   */
  matchedMembers?(advertiserId: string, audienceIds: readonly string[]): Promise<Map<string, number>>;
  /** Deletes (deactivates) an audience; absent when the destination cannot. */
  deleteAudience?(audienceId: string): Promise<void>;
}
