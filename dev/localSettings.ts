import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { configSchema } from '../shared/config/config';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './localAuth';

export type Settings = Record<string, string>;

/** Where the local stack keeps its generated keys (ignored by git). */
export const localDir = (root = process.cwd()) => path.join(root, '.local');

/** A random value created once and kept in `.local/<name>`, so restarts keep stored secrets readable. */
export function persistentRandom(name: string, bytes: number, root?: string): string {
  const file = path.join(localDir(root), name);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch {
    // not created yet
  }
  const value = randomBytes(bytes).toString('base64');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, value, { flag: 'wx', mode: 0o600 });
    return value;
  } catch {
    return fs.readFileSync(file, 'utf8').trim(); // another process created it first
  }
}

export interface LocalSettingsInput {
  storageConnectionString: string;
  rollworksBaseUrl: string;
  rollworksClientId: string;
  rollworksClientSecret: string;
  /** Origin of the local Functions host, e.g. http://127.0.0.1:7071. */
  hostOrigin: string;
  root?: string;
}

export interface SettingInfo {
  name: string;
  /** The schema default, as it would be written in the environment. */
  defaultValue?: string;
  description: string;
  optional: boolean;
}

interface ZodLike {
  description?: string;
  _zod: { def: { type: string; defaultValue?: unknown; innerType?: ZodLike; in?: ZodLike } };
}

/** Every setting of the config schema with its default and `.describe()` text. */
export function settingsCatalog(): SettingInfo[] {
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    let current: ZodLike | undefined = schema as unknown as ZodLike;
    let description: string | undefined;
    let defaultValue: unknown;
    let optional = false;
    while (current) {
      description ??= current.description;
      const def: ZodLike['_zod']['def'] = current._zod.def;
      if (def.type === 'default') {
        defaultValue ??= def.defaultValue;
        current = def.innerType;
      } else if (def.type === 'optional') {
        optional = true;
        current = def.innerType;
      } else if (def.type === 'pipe') {
        current = def.in;
      } else {
        break;
      }
    }
    return {
      name,
      description: description ?? '',
      optional: optional || defaultValue !== undefined,
      ...(defaultValue === undefined ? {} : { defaultValue: String(defaultValue) }),
    };
  });
}

/** The schema defaults as settings, so `%SETTING%` binding expressions resolve on the local host. */
export function schemaDefaultSettings(): Settings {
  return Object.fromEntries(
    settingsCatalog()
      .filter((setting) => setting.defaultValue !== undefined)
      .map((setting) => [setting.name, setting.defaultValue as string]),
  );
}

/** The settings the embedded stack gives the app when the environment does not set them. */
export function localDefaultSettings(input: LocalSettingsInput): Settings {
  return {
    ...schemaDefaultSettings(),
    AzureWebJobsStorage: input.storageConnectionString,
    ROLLWORKS_API_BASE_URL: input.rollworksBaseUrl,
    ROLLWORKS_AUTH_BASE_URL: input.rollworksBaseUrl,
    ROLLWORKS_CLIENT_ID: input.rollworksClientId,
    ROLLWORKS_CLIENT_SECRET: input.rollworksClientSecret,
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: persistentRandom('secret-key', 32, input.root),
    AUTH_MODE: 'local',
    LOCAL_AUTH_JWKS_URI: `${input.hostOrigin}/.well-known/jwks.json`,
    ENTRA_ISSUER: LOCAL_ISSUER,
    ENTRA_AUDIENCE: LOCAL_AUDIENCE,
    PUBLIC_BASE_URL: input.hostOrigin,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    // the local host's own settings (dev/localHost/hostSettings.ts)
    FUNCTIONS_KEY: persistentRandom('functions-key', 24, input.root).replace(/[+/=]/g, ''),
    DEV_SKIP_FUNCTIONS_ENV_CHECK: 'true',
  };
}

/** Defaults overridden by any non-empty value the environment gives for the same name. */
export function withEnvironmentOverrides(defaults: Settings, env: NodeJS.ProcessEnv = process.env): Settings {
  const merged: Settings = { ...defaults };
  for (const name of Object.keys(defaults)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[name] = value;
  }
  return merged;
}
