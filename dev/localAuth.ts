import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The local stack's token issuer: an RS256 key kept in an ignored folder of the checkout, created on
 * first use, so `npm run token` (another process) signs tokens the running stack accepts.
 */
export const LOCAL_ISSUER = 'https://local.rollworks-export.invalid/';
export const LOCAL_AUDIENCE = 'api://rollworks-export-local';
const KID = 'local-1';

export const localKeyPath = (root = process.cwd()) => path.join(root, '.local', 'auth', 'signing-key.json');

async function loadOrCreateKey(root?: string): Promise<JWK> {
  const file = localKeyPath(root);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
      return jwk;
    } catch {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as JWK; // another process created it first
    }
  }
}

/** The public JWKS the local host serves at /.well-known/jwks.json. */
export async function localJwks(root?: string): Promise<{ keys: JWK[] }> {
  const { kty, n, e, kid, alg, use } = await loadOrCreateKey(root);
  return { keys: [{ kty, n, e, kid, alg, use }] };
}

export interface LocalTokenOptions {
  roles: string[];
  sub?: string;
  name?: string;
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  notBefore?: Date;
  /** Default now. */
  issuedAt?: Date;
}

export async function signLocalToken(options: LocalTokenOptions, root?: string): Promise<string> {
  const jwk = await loadOrCreateKey(root);
  const key = await importJWK(jwk, 'RS256');
  const sub = options.sub ?? 'local-admin';
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: options.roles, name: options.name ?? sub, oid: sub })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(options.issuedAt ? Math.floor(options.issuedAt.getTime() / 1000) : now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600));
  if (options.notBefore) jwt.setNotBefore(Math.floor(options.notBefore.getTime() / 1000));
  return jwt.sign(key);
}
