import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../shared/packageRoot';
import type { ConsoleManifest } from '../shared/console/consoleAssets';

/**
 * Bundles the admin console (`console/`) into `dist/console/`: hashed ES module chunks and one CSS
 * file and the icon under `assets/`, and `manifest.json` naming the entry script and style the page loads. The
 * Entra ID library is a chunk of its own, loaded only when the app signs in with Entra ID.
 */
const ROOT = packageRoot();
export const CONSOLE_SOURCE = path.join(ROOT, 'console');
export const CONSOLE_OUTPUT = path.join(ROOT, 'dist', 'console');

export async function buildConsole(outDir: string = CONSOLE_OUTPUT): Promise<ConsoleManifest> {
  const esbuild = await import('esbuild');
  const assetsDir = path.join(outDir, 'assets');
  fs.rmSync(assetsDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(CONSOLE_SOURCE, 'main.tsx')],
    outdir: assetsDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    metafile: true,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(CONSOLE_SOURCE, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, output]) => output.entryPoint !== undefined);
  if (!entry || !entry[1].cssBundle) throw new Error('esbuild produced no console entry script and style');
  const name = (file: string) => path.relative(assetsDir, path.resolve(ROOT, file)).split(path.sep).join('/');
  const iconSource = fs.readFileSync(path.join(CONSOLE_SOURCE, 'favicon.svg'));
  const icon = `favicon-${createHash('sha256').update(iconSource).digest('hex').slice(0, 8).toUpperCase()}.svg`;
  fs.writeFileSync(path.join(assetsDir, icon), iconSource);
  const manifest: ConsoleManifest = {
    script: name(entry[0]),
    style: name(entry[1].cssBundle),
    icon,
    assets: [...outputs.map(([file]) => name(file)), icon].sort(),
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  buildConsole().catch((error: unknown) => {
    console.error(`console build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
