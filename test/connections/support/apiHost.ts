import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../../dev/localHost/host';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  localJwks,
  signLocalToken,
  type LocalTokenOptions,
} from '../../../dev/localAuth';
import type { Harness } from './harness';

export interface ApiHost {
  host: LocalFunctionsHost;
  origin: string;
  /** Log lines the functions wrote through their invocation contexts. */
  hostLog: string[];
  /** A token signed by the key whose JWKS the host publishes. */
  token(options: LocalTokenOptions): Promise<string>;
  /** A token signed by an unrelated key (same kid). */
  foreignToken(options: LocalTokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Functions (by default every HTTP route; `functionFiles` names others in functions/) served by the
 * local Functions host over HTTP, with a local token issuer.
 */
export async function startApiHost(
  harness: Harness,
  functionFiles: string[] = ['http.ts'],
): Promise<ApiHost> {
  const keyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'api-host-key-'));
  const foreignRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'api-host-foreign-'));
  const hostLog: string[] = [];
  const jwks = localJwks(keyRoot);
  const host = await startLocalFunctionsHost({
    port: 0,
    files: functionFiles.map((file) => path.resolve(__dirname, '../../../functions', file)),
    log: (level, message) => hostLog.push(`${level} ${message}`),
    extraRoutes: {
      '/.well-known/jwks.json': async (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await jwks));
      },
    },
    settings: (origin) => ({
      ...harness.settings,
      AUTH_MODE: 'local',
      LOCAL_AUTH_JWKS_URI: `${origin}/.well-known/jwks.json`,
      ENTRA_ISSUER: LOCAL_ISSUER,
      ENTRA_AUDIENCE: LOCAL_AUDIENCE,
      PUBLIC_BASE_URL: origin,
    }),
  });
  return {
    host,
    origin: host.origin,
    hostLog,
    token: (options) => signLocalToken(options, keyRoot),
    foreignToken: (options) => signLocalToken(options, foreignRoot),
    async stop() {
      await host.stop();
      fs.rmSync(keyRoot, { recursive: true, force: true });
      fs.rmSync(foreignRoot, { recursive: true, force: true });
    },
  };
}
