import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../packageRoot';

/** What `npm run build` writes to dist/console/manifest.json (see dev/buildConsole.ts). */
export interface ConsoleManifest {
  script: string;
  style: string;
  icon: string;
  /** Every file under assets/, for the serving function and the size benchmark. */
  assets: string[];
}

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const consoleDir = () => path.join(packageRoot(), 'dist', 'console');

let manifest: ConsoleManifest | undefined;
const assets = new Map<string, ConsoleAsset>();

/** The built console's manifest, or null when `npm run build` has not built it. Read once. */
export function consoleManifest(): ConsoleManifest | null {
  if (!manifest) {
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(consoleDir(), 'manifest.json'), 'utf8'));
    } catch {
      return null; // not built yet: ask again next time
    }
  }
  return manifest ?? null;
}

/** One file the manifest lists (nothing else is ever read), kept in memory after the first read. */
export function consoleAsset(name: string): ConsoleAsset | undefined {
  const known = consoleManifest();
  const contentType = CONTENT_TYPES[path.extname(name)];
  if (!known?.assets.includes(name) || !contentType) return undefined;
  let asset = assets.get(name);
  if (!asset) {
    asset = { body: fs.readFileSync(path.join(consoleDir(), 'assets', name)), contentType };
    assets.set(name, asset);
  }
  return asset;
}
