import { randomBytes, randomInt } from 'node:crypto';
import { seededRandom } from './faults';
import type { MemberSet } from './memberSet';
import {
  AUTHORIZATION_CODE_TTL_MS,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_CLIENT,
  DEFAULT_DAILY_QUOTA,
  DEFAULT_MAX_REQUEST_BYTES,
  DEMO_USER,
  REFRESH_TOKEN_TTL_MS,
  type SimulatorClient,
  type SimulatorFaults,
  type SimulatorOptions,
  type SimulatorUser,
} from './options';

export interface StoredAudience {
  id: string;
  advertiserId: string;
  name: string;
  type: 'crm';
  /** Normalised (lower-cased) emails or MD5 digests. */
  members: MemberSet;
  createdAt: Date;
  updatedAt: Date;
  deleted: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** Path plus non-secret query parameters. */
  path: string;
  status: number;
  time: string;
  durationMs: number;
  clientId?: string;
  fault?: 'drop' | '429' | '500';
}

interface Grant {
  clientId: string;
  username: string;
  expiresAt: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

const REQUEST_LOG_LIMIT = 10_000;
const EID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newEid(): string {
  let eid = '';
  for (let i = 0; i < 22; i++) eid += EID_ALPHABET[randomInt(EID_ALPHABET.length)];
  return eid;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Everything the simulator knows; tests may inspect it in-process. */
export class SimulatorState {
  readonly clients: ReadonlyMap<string, SimulatorClient>;
  readonly users: ReadonlyMap<string, SimulatorUser>;
  readonly accessTokenTtlSeconds: number;
  readonly maxRequestBytes: number;
  readonly now: () => Date;
  readonly audiences = new Map<string, StoredAudience>();
  readonly requestLog: RequestLogEntry[] = [];
  dailyQuota: number;
  faults: SimulatorFaults;
  replaceAppends: boolean;
  random: () => number;

  private readonly authorizationCodes = new Map<string, Grant & { redirectUri: string }>();
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  private quotaDay = '';
  private readonly quotaUsed = new Map<string, number>();

  constructor(private readonly options: SimulatorOptions = {}) {
    this.clients = new Map((options.clients ?? [DEFAULT_CLIENT]).map((c) => [c.clientId, c]));
    this.users = new Map((options.users ?? [DEMO_USER]).map((u) => [u.username, u]));
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.now = options.now ?? (() => new Date());
    this.dailyQuota = options.dailyQuota ?? DEFAULT_DAILY_QUOTA;
    this.faults = { ...options.faults };
    this.replaceAppends = options.replaceAppends ?? false;
    this.random = this.faults.seed === undefined ? Math.random : seededRandom(this.faults.seed);
  }

  /** Back to the start-up state: no audiences, log, quota use or tokens; configured faults, quota and replace. */
  reset(): void {
    this.audiences.clear();
    this.requestLog.length = 0;
    this.quotaUsed.clear();
    this.authorizationCodes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.dailyQuota = this.options.dailyQuota ?? DEFAULT_DAILY_QUOTA;
    this.replaceAppends = this.options.replaceAppends ?? false;
    this.setFaults({ ...this.options.faults });
  }

  setFaults(faults: SimulatorFaults): void {
    this.faults = faults;
    this.random = faults.seed === undefined ? Math.random : seededRandom(faults.seed);
  }

  // ---- OAuth ----

  clientRedirectAllowed(client: SimulatorClient, redirectUri: string): boolean {
    if (client.redirectUris.includes(redirectUri)) return true;
    if (!client.allowAnyLoopbackRedirect) return false;
    try {
      const url = new URL(redirectUri);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        (url.hostname === '127.0.0.1' || url.hostname === 'localhost') &&
        url.hash === ''
      );
    } catch {
      return false;
    }
  }

  issueAuthorizationCode(clientId: string, username: string, redirectUri: string): string {
    const code = newSecret();
    const expiresAt = this.now().getTime() + AUTHORIZATION_CODE_TTL_MS;
    this.authorizationCodes.set(code, { clientId, username, redirectUri, expiresAt });
    return code;
  }

  /** Single use: the code is gone after this call, whatever the outcome. */
  redeemAuthorizationCode(code: string, clientId: string, redirectUri: string): IssuedTokens | string {
    const grant = this.authorizationCodes.get(code);
    this.authorizationCodes.delete(code);
    if (!grant) return 'authorization code is unknown or already used';
    if (grant.expiresAt <= this.now().getTime()) return 'authorization code has expired';
    if (grant.clientId !== clientId) return 'authorization code was issued to another client';
    if (grant.redirectUri !== redirectUri) return 'redirect_uri does not match the authorization request';
    return this.issueTokens(clientId, grant.username);
  }

  /** Rotating single-use refresh: the old refresh token dies at once. */
  redeemRefreshToken(refreshToken: string, clientId: string): IssuedTokens | string {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant) return 'refresh token is unknown or already used';
    if (grant.clientId !== clientId) return 'refresh token was issued to another client';
    this.refreshTokens.delete(refreshToken);
    if (grant.expiresAt <= this.now().getTime()) return 'refresh token has expired';
    return this.issueTokens(clientId, grant.username);
  }

  /** Mints a token pair directly (for tests that do not need the browser sign-in). */
  issueTokens(
    clientId: string = DEFAULT_CLIENT.clientId,
    username: string = DEMO_USER.username,
  ): IssuedTokens {
    if (!this.clients.has(clientId)) throw new Error(`unknown client ${clientId}`);
    if (!this.users.has(username)) throw new Error(`unknown user ${username}`);
    const nowMs = this.now().getTime();
    const accessToken = newSecret();
    const refreshToken = newSecret();
    this.accessTokens.set(accessToken, {
      clientId,
      username,
      expiresAt: nowMs + this.accessTokenTtlSeconds * 1000,
    });
    this.refreshTokens.set(refreshToken, { clientId, username, expiresAt: nowMs + REFRESH_TOKEN_TTL_MS });
    return { accessToken, refreshToken, expiresInSeconds: this.accessTokenTtlSeconds };
  }

  /** The user an access token acts for, or why it is refused. */
  authenticate(accessToken: string, clientId: string): SimulatorUser | string {
    const grant = this.accessTokens.get(accessToken);
    if (!grant) return 'access token is not valid';
    if (grant.clientId !== clientId) return 'access token was issued to another application';
    if (grant.expiresAt <= this.now().getTime()) return 'access token has expired';
    const user = this.users.get(grant.username);
    return user ?? 'access token is not valid';
  }

  expireAccessTokens(): number {
    const past = this.now().getTime() - 1;
    for (const grant of this.accessTokens.values()) grant.expiresAt = past;
    return this.accessTokens.size;
  }

  // ---- quota ----

  /** Counts one API call; false when the client's daily quota is already used up. */
  consumeQuota(clientId: string): boolean {
    this.rollQuotaDay();
    const used = this.quotaUsed.get(clientId) ?? 0;
    if (used >= this.dailyQuota) return false;
    this.quotaUsed.set(clientId, used + 1);
    return true;
  }

  quotaUsedBy(clientId: string): number {
    this.rollQuotaDay();
    return this.quotaUsed.get(clientId) ?? 0;
  }

  setQuotaUsed(clientId: string, used: number): void {
    this.rollQuotaDay();
    this.quotaUsed.set(clientId, used);
  }

  quotaSnapshot(): { dailyQuota: number; day: string; used: Record<string, number> } {
    this.rollQuotaDay();
    return { dailyQuota: this.dailyQuota, day: this.quotaDay, used: Object.fromEntries(this.quotaUsed) };
  }

  private rollQuotaDay(): void {
    const day = this.now().toISOString().slice(0, 10);
    if (day !== this.quotaDay) {
      this.quotaDay = day;
      this.quotaUsed.clear();
    }
  }

  // ---- audiences and log ----

  userOwnsAdvertisable(user: SimulatorUser, advertiserId: string): boolean {
    return user.advertisables.some((a) => a.eid === advertiserId);
  }

  advertisableExists(advertiserId: string): boolean {
    for (const user of this.users.values()) if (this.userOwnsAdvertisable(user, advertiserId)) return true;
    return false;
  }

  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_LIMIT)
      this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_LIMIT);
  }

  snapshot(includeMembers = true) {
    return {
      audiences: [...this.audiences.values()].map((a) => ({
        id: a.id,
        advertiserId: a.advertiserId,
        name: a.name,
        type: a.type,
        memberCount: a.members.size,
        ...(includeMembers ? { members: [...a.members] } : {}),
        createdAt: a.createdAt.toISOString(),
        updatedAt: a.updatedAt.toISOString(),
        deleted: a.deleted,
      })),
      requestLog: [...this.requestLog],
      quota: this.quotaSnapshot(),
      faults: this.faults,
    };
  }
}
