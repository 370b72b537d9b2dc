/**
 * `npm run package`: builds the deployment zip that Flex Consumption runs: host.json, package.json,
 * package-lock.json, the compiled functions and shared code, the console's bundle, and production
 * dependencies only.
 *
 *   node dist/dev/package.js [--out <zip path>]   (default .tools/package/rollworks-export.zip)
 *
 * The unzipped content is left next to the zip in `app/` (azure.yaml deploys that folder).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_OUT = path.join(ROOT, '.tools', 'package', 'rollworks-export.zip');
/**
 * Built folders the app runs from (dist/console is the admin console's bundle, served by the app);
 * dist/dev, dist/bench and tests stay out of the package.
 */
const COMPILED_FOLDERS = ['functions', 'shared', 'console'];

export interface PackageResult {
  zipPath: string;
  stagingDir: string;
  bytes: number;
  files: number;
}

export function buildPackage(zipPath: string = DEFAULT_OUT): PackageResult {
  const dist = path.join(ROOT, 'dist');
  for (const folder of COMPILED_FOLDERS) {
    if (!fs.existsSync(path.join(dist, folder))) {
      throw new Error(`dist/${folder} is missing: run \`npm run build\` first (npm run package does).`);
    }
  }
  const stagingDir = path.join(path.dirname(zipPath), 'app');
  fs.rmSync(stagingDir, { recursive: true, force: true });
  fs.mkdirSync(stagingDir, { recursive: true });

  fs.copyFileSync(path.join(ROOT, 'host.json'), path.join(stagingDir, 'host.json'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(stagingDir, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(stagingDir, 'package-lock.json'));
  for (const folder of COMPILED_FOLDERS) {
    fs.cpSync(path.join(dist, folder), path.join(stagingDir, 'dist', folder), { recursive: true });
  }

  installProductionDependencies(stagingDir);
  writeRuntimePackageJson(stagingDir);

  fs.mkdirSync(path.dirname(zipPath), { recursive: true });
  fs.rmSync(zipPath, { force: true });
  const files = listFiles(stagingDir);
  if (commandExists('zip')) {
    const zipped = spawnSync('zip', ['-q', '-X', '-r', zipPath, '.'], { cwd: stagingDir, stdio: 'inherit' });
    if (zipped.status !== 0) throw new Error(`zip exited with ${zipped.status}`);
  } else {
    writeZip(stagingDir, files, zipPath);
  }
  // For `azd deploy` (azure.yaml `dist`): with an ignore file present azd packages the folder as it is,
  // production node_modules included, instead of dropping node_modules for a remote build.
  fs.writeFileSync(
    path.join(stagingDir, '.funcignore'),
    '# Everything here is built for deployment (npm run package); nothing to exclude.\n',
  );
  return { zipPath, stagingDir, bytes: fs.statSync(zipPath).size, files: files.length };
}

function installProductionDependencies(dir: string): void {
  // The lockfile pins every version; scripts are not needed by any production dependency.
  const result = spawnSync(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
    ],
    {
      cwd: dir,
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`npm ci --omit=dev exited with ${result.status}`);
}

/**
 * package.json as the Functions host needs it: entry points and dependencies, no dev tooling. The lock
 * file stays beside it: should a deployment build remotely after all (azd before 1.23.5 forces that on
 * Flex), npm installs the locked versions instead of resolving `^` ranges afresh.
 */
function writeRuntimePackageJson(dir: string): void {
  const file = path.join(dir, 'package.json');
  const source = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const runtime = {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    private: true,
    main: source.main,
    engines: source.engines,
    dependencies: source.dependencies,
  };
  fs.writeFileSync(file, `${JSON.stringify(runtime, null, 2)}\n`);
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Relative paths (with `/`) of every file under `dir`, sorted. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk('');
  return files.sort();
}

/**
 * Minimal zip writer (deflate, no zip64) for machines without the `zip` command.
 * Layout: local header + data per file, then the central directory and its end record.
 */
export function writeZip(baseDir: string, files: string[], zipPath: string): void {
  if (files.length > 0xffff) throw new Error(`too many files for a zip without zip64: ${files.length}`);
  const out = fs.openSync(zipPath, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (buffer: Buffer): void => {
    fs.writeSync(out, buffer);
    offset += buffer.length;
  };
  try {
    for (const name of files) {
      const data = fs.readFileSync(path.join(baseDir, name));
      const compressed = zlib.deflateRawSync(data, { level: 9 });
      const stored = compressed.length >= data.length;
      const body = stored ? data : compressed;
      const crc = zlib.crc32(data);
      const nameBytes = Buffer.from(name, 'utf8');
      const { time, date } = dosDateTime(fs.statSync(path.join(baseDir, name)).mtime);
      if (offset + 30 + nameBytes.length + body.length > 0xffffffff) throw new Error('zip larger than 4 GiB');

      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(stored ? 0 : 8, 8);
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(nameBytes.length, 26);
      local.writeUInt16LE(0, 28);

      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(stored ? 0 : 8, 10);
      entry.writeUInt16LE(time, 12);
      entry.writeUInt16LE(date, 14);
      entry.writeUInt32LE(crc, 16);
      entry.writeUInt32LE(body.length, 20);
      entry.writeUInt32LE(data.length, 24);
      entry.writeUInt16LE(nameBytes.length, 28);
      entry.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
      entry.writeUInt32LE(offset, 42);
      central.push(entry, nameBytes);

      write(local);
      write(nameBytes);
      write(body);
    }
    const centralStart = offset;
    for (const part of central) write(part);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    write(end);
  } finally {
    fs.closeSync(out);
  }
}

function dosDateTime(moment: Date): { time: number; date: number } {
  const year = Math.max(moment.getFullYear(), 1980);
  return {
    time: (moment.getHours() << 11) | (moment.getMinutes() << 5) | Math.floor(moment.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((moment.getMonth() + 1) << 5) | moment.getDate(),
  };
}

function parseOut(args: string[]): string {
  const index = args.indexOf('--out');
  if (index === -1) return DEFAULT_OUT;
  const value = args[index + 1];
  if (!value) throw new Error('--out needs a path');
  return path.resolve(value);
}

if (require.main === module) {
  try {
    const result = buildPackage(parseOut(process.argv.slice(2)));
    const megabytes = (result.bytes / (1024 * 1024)).toFixed(1);
    const relative = path.relative(process.cwd(), result.zipPath);
    console.log(`package: ${relative.startsWith('..') ? result.zipPath : relative}`);
    console.log(`size: ${megabytes} MB (${result.bytes} bytes), files: ${result.files}`);
  } catch (error) {
    console.error(`package failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
