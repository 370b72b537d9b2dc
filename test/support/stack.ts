import { startLocalStack, type LocalStack } from '../../dev/localStack';
import type { QueueSettings } from '../../dev/localHost/hostConfig';
import type { HostLogLevel } from '../../dev/localHost/invoker';
import type { SimulatorOptions } from '../../dev/simulator';
import { SHARED_STORAGE_VARIABLE } from './sharedAzurite';

export interface TestStackOptions {
  /** Folder of function files to serve; default the app's own functions/*.ts. */
  functionsDir?: string;
  files?: string[];
  /** Settings over the local defaults. */
  settings?: Record<string, string>;
  /** host.json `extensions.queues` overrides (short timeouts keep tests fast). */
  queues?: Partial<QueueSettings>;
  simulator?: Omit<SimulatorOptions, 'port'>;
  /**
   * Use the Azurite jest's globalSetup started (tests that only create uniquely named resources)
   * instead of a private one. Default false: a private Azurite, started and stopped with the stack.
   */
  sharedStorage?: boolean;
}

export interface TestStack extends LocalStack {
  /** Absolute URL of a path on the local Functions host. */
  url(path: string): string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Host and function log lines, for failure messages. */
  logs: string[];
  /** Polls `check` until it holds; a time-out names `what` and shows the last log lines. */
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/**
 * Azurite + RollWorks simulator + the local Functions host (in this process), all on free loopback
 * ports, with the local stack's settings. The developer's environment is ignored so tests are hermetic.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const logs: string[] = [];
  const shared = options.sharedStorage ? process.env[SHARED_STORAGE_VARIABLE] : undefined;
  const stack = await startLocalStack({
    azuritePorts: { blob: 0, queue: 0, table: 0 },
    hostPort: 0,
    simulatorPort: 0,
    simulator: options.simulator,
    env: shared ? { AzureWebJobsStorage: shared } : {},
    settings: options.settings,
    functionsDir: options.functionsDir,
    files: options.files,
    queues: options.queues,
    log: (level: HostLogLevel, message: string, functionName?: string) =>
      logs.push(`${level} ${functionName ? `[${functionName}] ` : ''}${message}`),
  });
  const url = (path: string) => `${stack.urls.functions}${path.startsWith('/') ? '' : '/'}${path}`;
  async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${logs.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { ...stack, logs, url, fetch: (path, init) => fetch(url(path), init), waitFor };
}
