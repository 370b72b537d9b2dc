import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { registry, type FunctionRegistration } from './functionsCore';
import { packageRoot } from '../../shared/packageRoot';

const CORE_MODULE = '@azure/functions-core';

/**
 * Makes `require('@azure/functions-core')` return this host's stand-in in plain node. Under jest the
 * moduleNameMapper already does it, so nothing is patched there.
 */
export function installFunctionsCore(): void {
  try {
    require.resolve(CORE_MODULE);
    return; // provided already (jest mapping, or this hook installed before)
  } catch {
    // fall through: install the hook
  }
  const target = require.resolve('./functionsCore');
  const moduleWithResolver = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleWithResolver._resolveFilename;
  moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? target : original.call(this, request, ...rest);
  };
}

/** The repository root: the nearest folder above this file holding package.json. */
export const projectRoot = packageRoot;

const runningFromSource = () => __filename.endsWith('.ts');

/**
 * The function files the real host would load: package.json `main` (dist/functions/*.js). Running
 * from the TypeScript sources (jest), the same files under functions/*.ts.
 */
export function defaultFunctionFiles(root = projectRoot()): string[] {
  const main = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string })
    .main;
  let pattern = path.join(root, main);
  if (runningFromSource())
    pattern = path.join(root, main.replace(/^(\.\/)?dist\//, '')).replace(/\.js$/, '.ts');
  return expandGlob(pattern);
}

/** `dir/*.ext` style patterns only (what package.json main uses). */
function expandGlob(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!base.includes('*')) return [pattern];
  const regex = new RegExp(`^${base.split('*').map(escapeRegex).join('[^/]*')}$`);
  return fs
    .readdirSync(dir)
    .filter((name) => regex.test(name) && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.join(dir, name));
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface LoadFunctionAppOptions {
  /** Folder of function files (every .ts under jest / .js under node); default: package.json main. */
  functionsDir?: string;
  /** Explicit files; wins over functionsDir. */
  files?: string[];
}

export interface LoadedFunction extends FunctionRegistration {
  file: string;
}

/** Registrations each file made the first time it was loaded (modules register once per module registry). */
const registrationsByFile = new Map<string, FunctionRegistration[]>();

/** Loads every function file and returns what each registered, as the real worker would see it. */
export function loadFunctionApp(options: LoadFunctionAppOptions = {}): LoadedFunction[] {
  installFunctionsCore();
  const files =
    options.files ?? (options.functionsDir ? filesIn(options.functionsDir) : defaultFunctionFiles());
  const loaded: LoadedFunction[] = [];
  for (const file of files) {
    let registrations = registrationsByFile.get(file);
    if (!registrations) {
      const before = new Set(registry.functions);
      require(file);
      registrations = registry.functions.filter((entry) => !before.has(entry));
      registrationsByFile.set(file, registrations);
    }
    loaded.push(...registrations.map((registration) => ({ ...registration, file })));
  }
  const seen = new Set<string>();
  for (const { metadata } of loaded) {
    const key = metadata.name.toLowerCase();
    if (seen.has(key)) throw new Error(`Two functions are registered with the name "${metadata.name}"`);
    seen.add(key);
  }
  return loaded;
}

function filesIn(dir: string): string[] {
  const extension = runningFromSource() ? '.ts' : '.js';
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(extension) && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.join(path.resolve(dir), name));
}
