import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { azuriteConnectionString } from '../shared/storage/clients';

export interface AzuriteInstance {
  ports: { blob: number; queue: number; table: number };
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder Azurite keeps its data in, so a restart loses nothing. Default: in memory. */
  location?: string;
}

/**
 * Starts Azurite (loopback only; in memory unless `location` is given) as a child process. Port 0 picks
 * free ports, read back from Azurite's own "listening at" lines. The child is tied to this process by
 * an IPC channel: when this process dies, even by SIGKILL, the channel closes and Azurite shuts down
 * (flushing a persistent store), so nothing is left listening on its ports.
 */
export async function startAzurite(
  requested: { blob?: number; queue?: number; table?: number } = {},
  timeoutMs = 30_000,
  options: AzuriteOptions = {},
): Promise<AzuriteInstance> {
  const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const storage = options.location ? ['--location', options.location] : ['--inMemoryPersistence'];
  // Azurite's own SIGTERM handler closes its stores (saving a persistent one); what it then prints
  // must not hit the dead parent's pipes, where EPIPE would end it before the save.
  const tiedToParent = [
    'const mute = (stream) => { stream.on("error", () => {}); stream.write = () => true; };',
    "process.on('disconnect', () => { mute(process.stdout); mute(process.stderr); process.kill(process.pid, 'SIGTERM'); });",
    `process.argv.splice(1, 0, ${JSON.stringify(entry)});`,
    `require(${JSON.stringify(entry)});`,
  ].join('');
  const child = spawn(
    process.execPath,
    [
      '-e',
      tiedToParent,
      '--',
      '--silent',
      ...storage,
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--blobHost',
      '127.0.0.1',
      '--queueHost',
      '127.0.0.1',
      '--tableHost',
      '127.0.0.1',
      '--blobPort',
      String(requested.blob ?? 0),
      '--queuePort',
      String(requested.queue ?? 0),
      '--tablePort',
      String(requested.table ?? 0),
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  child.channel?.unref(); // the channel must not keep this process alive
  const ports = await waitForPorts(child, timeoutMs);
  return {
    ports,
    connectionString: azuriteConnectionString(ports),
    stop: () => stopChild(child),
  };
}

function waitForPorts(child: ChildProcess, timeoutMs: number): Promise<AzuriteInstance['ports']> {
  return new Promise((resolve, reject) => {
    const found: Partial<AzuriteInstance['ports']> = {};
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g,
      )) {
        found[match[1].toLowerCase() as 'blob' | 'queue' | 'table'] = Number(match[2]);
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(found as AzuriteInstance['ports']);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
