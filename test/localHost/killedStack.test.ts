import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalStack } from '../../dev/localStack';

jest.setTimeout(120_000);

const REGISTER_TS = path.join(__dirname, '..', 'support', 'registerTs.js');
const STACK_PROCESS = path.join(__dirname, 'fixtures', 'stackProcess.ts');

interface Started {
  child: ChildProcess;
  ports: number[];
  storage: string;
}

/** Starts the local stack in a child process and reads back the ports it listens on. */
function startStackProcess(root: string, mode: 'memory' | 'persist'): Promise<Started> {
  const child = spawn(process.execPath, ['--require', REGISTER_TS, STACK_PROCESS, root, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (!line) return;
      const started = JSON.parse(line) as {
        ports: Record<string, number>;
        urls: Record<string, string>;
        storage: string;
      };
      const web = [started.urls.functions, started.urls.rollworks].map((url) => Number(new URL(url).port));
      resolve({ child, ports: [...Object.values(started.ports), ...web], storage: started.storage });
    });
    child.once('exit', (code) => reject(new Error(`stack process exited with ${code}: ${output}`)));
  });
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function waitUntilClosed(ports: number[], timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let open = ports;
  while (Date.now() < deadline) {
    open = (await Promise.all(ports.map(async (port) => ((await listening(port)) ? port : 0)))).filter(
      Boolean,
    );
    if (open.length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return open;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'killed-stack-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

it('leaves nothing listening after kill -9 (Azurite included), so the next start finds its ports free', async () => {
  const { child, ports } = await startStackProcess(root, 'memory');
  expect(ports).toHaveLength(5);
  for (const port of ports) expect(await listening(port)).toBe(true);
  await killHard(child);
  expect(await waitUntilClosed(ports)).toEqual([]);
});

it('with persist, keeps what was stored across a kill -9 and a restart', async () => {
  const first = await startStackProcess(root, 'persist');
  const container = BlobServiceClient.fromConnectionString(first.storage).getContainerClient('kept');
  await container.create();
  await container.getBlockBlobClient('a.txt').upload('still here', 10);
  await killHard(first.child);
  expect(await waitUntilClosed(first.ports)).toEqual([]);
  expect(fs.existsSync(path.join(root, '.local', 'azurite'))).toBe(true);

  const second = await startStackProcess(root, 'persist');
  try {
    const again = BlobServiceClient.fromConnectionString(second.storage).getContainerClient('kept');
    const got = await again.getBlobClient('a.txt').downloadToBuffer();
    expect(got.toString()).toBe('still here');
  } finally {
    await killHard(second.child);
  }
});

it('stops at start, naming the setting, when a setting is invalid, and leaves nothing running', async () => {
  const start = startLocalStack({
    root,
    hostPort: 0,
    simulatorPort: 0,
    azuritePorts: { blob: 0, queue: 0, table: 0 },
    files: [path.join(__dirname, 'fixtures', 'functions', 'http.ts')],
    env: { OAUTH_STATE_TTL_SECONDS: '3' },
  });
  await expect(start).rejects.toThrow(/OAUTH_STATE_TTL_SECONDS/);
});
