import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { refusedInAzure, type AppConfig } from '../config/config';
import { DomainError, UnauthenticatedError, UnavailableError } from '../errors/domainErrors';
import { ROLES, type Principal, type Role } from '../model/identity';

export interface Authenticator {
  /** The caller named by an `Authorization: Bearer <JWT>` header; UnauthenticatedError when there is none or it is invalid. */
  authenticate(authorizationHeader: string | null): Promise<Principal>;
}

export interface AuthenticatorOptions {
  /** Leeway for `exp` and `nbf`, in seconds. */
  clockToleranceSeconds?: number;
  /** Fetches the issuer's discovery document (tests may replace it). */
  fetchJson?: (url: string) => Promise<unknown>;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

export class AuthConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigurationError';
  }
}

/**
 * Validates bearer tokens: RS256 signature against the issuer's JWKS (fetched once and cached by jose),
 * `iss`, `aud`, `exp` and `nbf`. `AUTH_MODE=local` uses the local stack's JWKS and is refused in Azure.
 */
export function createAuthenticator(config: AppConfig, options: AuthenticatorOptions = {}): Authenticator {
  const local = config.AUTH_MODE === 'local';
  const refusal =
    local &&
    refusedInAzure(config, 'AUTH_MODE=local is', 'Use AUTH_MODE=entra with ENTRA_ISSUER and ENTRA_AUDIENCE.');
  if (refusal) throw new AuthConfigurationError(refusal);
  const issuer = config.ENTRA_ISSUER;
  const audience = config.ENTRA_AUDIENCE;
  if (!issuer || !audience) {
    throw new AuthConfigurationError(
      `ENTRA_ISSUER and ENTRA_AUDIENCE are required${local ? ' (the local stack sets them to its local issuer and audience)' : ''}.`,
    );
  }
  if (local && !config.LOCAL_AUTH_JWKS_URI) {
    throw new AuthConfigurationError('LOCAL_AUTH_JWKS_URI is required when AUTH_MODE is local.');
  }
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const fetchJson = options.fetchJson ?? defaultFetchJson;
  // The config strips trailing slashes from URLs; Entra v1 issuers end with one, v2 issuers do not.
  const issuers = [issuer, `${issuer}/`];

  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const keys = (): Promise<JWTVerifyGetKey> => {
    keySet ??= resolveJwksUri(config, fetchJson)
      .then((uri) => createRemoteJWKSet(new URL(uri)))
      .catch((error: unknown) => {
        keySet = undefined; // try discovery again on the next request
        throw error;
      });
    return keySet;
  };

  return {
    async authenticate(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      let payload: JWTPayload;
      try {
        const getKey = await keys();
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: issuers,
          audience,
          algorithms: ['RS256'],
          clockTolerance,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw asDomainError(error);
      }
      assertPlausibleTimes(payload, clockTolerance, config.AUTH_MAX_TOKEN_LIFETIME_SECONDS);
      return principalFrom(payload);
    },
  };
}

/**
 * jose checks `exp` and `nbf` only. A token issued in the future, or living longer than any issuer
 * this app trusts hands out, is a forged or misconfigured one.
 */
function assertPlausibleTimes(
  payload: JWTPayload,
  toleranceSeconds: number,
  maxLifetimeSeconds: number,
): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > now + toleranceSeconds) {
    throw new UnauthenticatedError('The bearer token was issued in the future (iat).');
  }
  const start =
    typeof payload.iat === 'number' ? payload.iat : typeof payload.nbf === 'number' ? payload.nbf : now;
  if ((payload.exp ?? now) - start > maxLifetimeSeconds) {
    throw new UnauthenticatedError(
      `The bearer token lives longer than ${maxLifetimeSeconds} seconds (AUTH_MAX_TOKEN_LIFETIME_SECONDS).`,
    );
  }
}

function bearerToken(header: string | null): string {
  if (!header) throw new UnauthenticatedError('An Authorization header with a bearer token is required.');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
  return match[1];
}

async function resolveJwksUri(
  config: AppConfig,
  fetchJson: (url: string) => Promise<unknown>,
): Promise<string> {
  if (config.AUTH_MODE === 'local') return config.LOCAL_AUTH_JWKS_URI!;
  if (config.ENTRA_JWKS_URI) return config.ENTRA_JWKS_URI;
  const discoveryUrl = `${config.ENTRA_ISSUER}/.well-known/openid-configuration`;
  const document = (await fetchJson(discoveryUrl)) as { jwks_uri?: unknown } | null;
  if (!document || typeof document.jwks_uri !== 'string') {
    throw new AuthConfigurationError(`The issuer discovery document ${discoveryUrl} has no jwks_uri.`);
  }
  return document.jwks_uri;
}

async function defaultFetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new AuthConfigurationError(`GET ${url} answered ${response.status}.`);
  return response.json();
}

function asDomainError(error: unknown): DomainError {
  if (error instanceof errors.JWTExpired) return new UnauthenticatedError('The bearer token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'aud')
      return new UnauthenticatedError('The bearer token was not issued for this API (audience).');
    if (claim === 'iss')
      return new UnauthenticatedError('The bearer token was not issued by the expected issuer.');
    if (claim === 'nbf') return new UnauthenticatedError('The bearer token is not valid yet.');
    return new UnauthenticatedError(`The bearer token has an invalid "${claim}" claim.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new UnauthenticatedError('The bearer token signature is not valid.');
  }
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error instanceof AuthConfigurationError ||
    !(error instanceof errors.JOSEError) ||
    // jose reports a non-200 JWKS response with the generic error class
    (error as errors.JOSEError).code === 'ERR_JOSE_GENERIC'
  ) {
    return new UnavailableError(
      'The issuer signing keys could not be loaded, so the bearer token cannot be checked; try again later.',
      { code: 'SIGNING_KEYS_UNAVAILABLE', retryAfterSeconds: 30 },
    );
  }
  return new UnauthenticatedError('The bearer token is not valid.');
}

function principalFrom(payload: JWTPayload): Principal {
  const oid = typeof payload.oid === 'string' ? payload.oid : undefined;
  const id = oid ?? payload.sub;
  if (!id) throw new UnauthenticatedError('The bearer token names no subject (oid or sub).');
  const name =
    (typeof payload.name === 'string' && payload.name) ||
    (typeof payload.preferred_username === 'string' && payload.preferred_username) ||
    id;
  const claimed = Array.isArray(payload.roles) ? payload.roles : [];
  const roles = ROLES.filter((role: Role) => claimed.includes(role));
  return { id, name, roles };
}
