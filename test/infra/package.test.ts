import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listFiles, writeZip } from '../../dev/package';
import { ROOT } from './armTemplate';
import { routeTable } from '../../functions/routes/routeTable';

let workDir: string;
let appDir: string;
let packageOutput: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwx-package-'));
  const zipPath = path.join(workDir, 'out', 'rollworks-export.zip');
  packageOutput = execFileSync('npm', ['run', '--silent', 'package', '--', '--out', zipPath], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  appDir = path.join(workDir, 'unzipped');
  fs.mkdirSync(appDir);
  execFileSync('unzip', ['-q', zipPath, '-d', appDir]);
}, 600_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Function names registered in functions/*.ts: one per route, and `app.timer('name', ...)` and the like. */
function functionNamesInSource(): string[] {
  const dir = path.join(ROOT, 'functions');
  const names: string[] = routeTable.map((route) => route.name);
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/\bapp\.\w+\(\s*'([^']+)'/g)) names.push(match[1]);
  }
  return names;
}

describe('npm run package', () => {
  it('prints where the zip is, its size and file count', () => {
    expect(packageOutput).toMatch(/^package: .*rollworks-export\.zip$/m);
    expect(packageOutput).toMatch(/^size: [\d.]+ MB \(\d+ bytes\), files: \d+$/m);
  });

  it('holds host.json, package.json, compiled functions and shared code, and production dependencies only', () => {
    const source = readJson(path.join(ROOT, 'package.json'));
    const packaged = readJson(path.join(appDir, 'package.json'));
    expect(packaged.main).toBe(source.main);
    expect(packaged.dependencies).toEqual(source.dependencies);
    expect(packaged.devDependencies).toBeUndefined();
    expect(packaged.scripts).toBeUndefined();
    expect(readJson(path.join(appDir, 'host.json'))).toEqual(readJson(path.join(ROOT, 'host.json')));

    expect(fs.readdirSync(appDir).sort()).toEqual([
      'dist',
      'host.json',
      'node_modules',
      'package-lock.json',
      'package.json',
    ]);
    expect(fs.readdirSync(path.join(appDir, 'dist')).sort()).toEqual(['console', 'functions', 'shared']);
    const compiled = listFiles(path.join(appDir, 'dist')).filter((file) => !file.startsWith('console/'));
    expect(compiled.every((file) => /\.js(\.map)?$/.test(file))).toBe(true);

    const lock = readJson(path.join(ROOT, 'package-lock.json'));
    for (const [location, entry] of Object.entries<{ dev?: boolean; optional?: boolean }>(lock.packages)) {
      if (!location.startsWith('node_modules/')) continue;
      const present = fs.existsSync(path.join(appDir, location));
      if (entry.dev) expect({ location, present }).toEqual({ location, present: false });
    }
    for (const dependency of Object.keys(source.dependencies)) {
      expect(fs.existsSync(path.join(appDir, 'node_modules', dependency, 'package.json'))).toBe(true);
    }
  });

  it("holds the console's bundle: the manifest and every hashed asset it lists, nothing else", () => {
    const manifest = readJson(path.join(appDir, 'dist', 'console', 'manifest.json'));
    expect(listFiles(path.join(appDir, 'dist', 'console'))).toEqual(
      ['manifest.json', ...manifest.assets.map((name: string) => `assets/${name}`)].sort(),
    );
    expect(manifest.assets).toEqual(expect.arrayContaining([manifest.script, manifest.style, manifest.icon]));
    // the serving code finds it from where it lies in the package
    const served = execFileSync(
      process.execPath,
      [
        '-e',
        "const a = require('./dist/shared/console/consoleAssets.js'); const m = a.consoleManifest(); process.stdout.write(String(a.consoleAsset(m.script).body.length));",
      ],
      { cwd: appDir, encoding: 'utf8' },
    );
    expect(Number(served)).toBe(
      fs.statSync(path.join(appDir, 'dist', 'console', 'assets', manifest.script)).size,
    );
  });

  it('keeps the lock file, so a remote build installs the locked versions, not fresh `^` ranges', () => {
    expect(fs.readFileSync(path.join(appDir, 'package-lock.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'),
    );
  });

  it('loads every function entry point with only the packaged node_modules, registering every function', () => {
    const main: string = readJson(path.join(appDir, 'package.json')).main;
    const pattern = new RegExp(`^${path.basename(main).replace('.', '\\.').replace('*', '[^/]*')}$`);
    const entryDir = path.dirname(main);
    const entries = fs
      .readdirSync(path.join(appDir, entryDir))
      .filter((name) => pattern.test(name))
      .map((name) => `./${entryDir}/${name}`);
    expect(entries.length).toBeGreaterThan(0);

    // Stands in for the Functions host: records what @azure/functions registers through functions-core.
    const preload = path.join(workDir, 'functionsCoreStub.js');
    fs.writeFileSync(
      preload,
      `const Module = require('module');
const registered = [];
const core = {
  setProgrammingModel() {},
  registerFunction(metadata) { registered.push(metadata.name); return { dispose() {} }; },
  registerHook() { return { dispose() {} }; },
  log() {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === '@azure/functions-core' ? core : load.call(this, request, ...rest);
};
process.on('exit', () => process.stdout.write('REGISTERED ' + JSON.stringify(registered) + '\\n'));
`,
    );
    const env = { ...process.env };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS;
    const child = spawnSync(
      process.execPath,
      ['--require', preload, '-e', `for (const entry of ${JSON.stringify(entries)}) require(entry);`],
      { cwd: appDir, env, encoding: 'utf8', timeout: 60_000 },
    );
    expect({ status: child.status, stderr: child.stderr }).toEqual({
      status: 0,
      stderr: expect.not.stringMatching(/error|cannot find module/i),
    });
    const line = child.stdout.split('\n').find((text) => text.startsWith('REGISTERED '));
    const registered: string[] = JSON.parse(line!.slice('REGISTERED '.length));
    const expected = functionNamesInSource();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((name) => !registered.includes(name))).toEqual([]);
  });
});

describe('zip writer used when the zip command is missing', () => {
  it('writes an archive unzip verifies and extracts byte for byte', () => {
    const source = path.join(workDir, 'zip-source');
    const files: Record<string, Buffer> = {
      'host.json': Buffer.from('{"version":"2.0"}\n'),
      'dist/functions/a.js': Buffer.from('module.exports = 1;\n'.repeat(200)),
      'node_modules/x/random.bin': crypto.randomBytes(4096),
      'node_modules/x/empty.txt': Buffer.alloc(0),
      'node_modules/ünïcode/名前.js': Buffer.from('exports.ok = true;\n'),
    };
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
      fs.writeFileSync(path.join(source, name), content);
    }
    const zipPath = path.join(workDir, 'node-written.zip');
    writeZip(source, listFiles(source), zipPath);

    expect(execFileSync('unzip', ['-t', zipPath], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const extracted = path.join(workDir, 'zip-extracted');
    execFileSync('unzip', ['-q', zipPath, '-d', extracted]);
    expect(listFiles(extracted)).toEqual(Object.keys(files).sort());
    for (const [name, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(extracted, name)).equals(content)).toBe(true);
    }
  });
});
