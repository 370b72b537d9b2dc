import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { disposeApp } from '../../shared/services';
import { registry, type FunctionRegistration } from './functionsCore';
import { readHostConfig, type HostConfig, type QueueSettings } from './hostConfig';
import { appEnvironment } from './hostSettings';
import {
  createHttpDispatcher,
  httpRoutes,
  answerClientError,
  sendProblem,
  type ExtraRouteHandler,
  type HttpRoute,
} from './httpTriggers';
import { Invoker, type HostLog, type InvocationRecord } from './invoker';
import { loadFunctionApp, projectRoot, type LoadFunctionAppOptions } from './loadFunctionApp';
import { QueuePoller, type QueuePollerInfo } from './queueTriggers';
import { scheduleTimer, type ScheduledTimer } from './timerTriggers';

export type HostSettings = Record<string, string | undefined>;

export interface LocalFunctionsHostOptions extends LoadFunctionAppOptions {
  /** Registrations to serve instead of loading function files. */
  functions?: FunctionRegistration[];
  /** Default 7071; 0 picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /**
   * App settings, put into process.env before the functions load (as the real host does). A function
   * receives the host origin (e.g. http://127.0.0.1:7071), known once the port is bound.
   */
  settings?: HostSettings | ((origin: string) => HostSettings);
  /** Default: host.json at the project root. */
  hostJsonPath?: string;
  /** Overrides of host.json `extensions.queues` (tests use short timeouts). */
  queues?: Partial<QueueSettings>;
  /** Plain node handlers for exact paths outside the functions, e.g. /.well-known/jwks.json. */
  extraRoutes?: Record<string, ExtraRouteHandler>;
  log?: HostLog;
  /** Restore process.env on stop (tests). Default true. */
  restoreEnvironment?: boolean;
  /** Awaited after the functions load and before triggers start (e.g. storage still starting). */
  beforeTriggers?: Promise<unknown>;
}

export interface HostDescription {
  origin: string;
  http: { functionName: string; path: string; methods: string[] | 'any'; authLevel: string }[];
  timers: { functionName: string; schedule: string; nextRun: Date | null }[];
  queues: QueuePollerInfo[];
  /** Registered functions with a trigger this host does not run. */
  unsupported: { functionName: string; triggerType: string }[];
}

/**
 * A local stand-in for the Azure Functions host: serves the app's HTTP triggers, runs its timers and
 * polls its storage queues on Azurite. Dev tooling only; Azure runs the real host.
 */
export class LocalFunctionsHost {
  readonly invoker: Invoker;
  #server?: http.Server;
  #origin = '';
  #config?: HostConfig;
  #functions: FunctionRegistration[] = [];
  #routes: HttpRoute[] = [];
  #timers: ScheduledTimer[] = [];
  #pollers: QueuePoller[] = [];
  #unsupported: HostDescription['unsupported'] = [];
  #savedEnvironment = new Map<string, string | undefined>();
  #dispatch?: ReturnType<typeof createHttpDispatcher>;
  #ready?: Promise<void>;
  #stopping = false;
  readonly #log: HostLog;

  constructor(private readonly options: LocalFunctionsHostOptions = {}) {
    this.#log = options.log ?? (() => undefined);
    this.invoker = new Invoker(this.#log);
  }

  get origin(): string {
    return this.#origin;
  }

  get functions(): FunctionRegistration[] {
    return this.#functions;
  }

  /** Invocations seen so far (most recent last, at most 1000). */
  get invocations(): InvocationRecord[] {
    return this.invoker.history;
  }

  async start(): Promise<this> {
    let markReady!: () => void;
    let failReady!: (error: unknown) => void;
    this.#ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#ready.catch(() => undefined);
    try {
      this.#config = readHostConfig(
        this.options.hostJsonPath ?? path.join(projectRoot(), 'host.json'),
        this.options.queues,
      );
      this.#server = http.createServer((request, response) => void this.#handle(request, response));
      this.#server.on('clientError', answerClientError);
      await new Promise<void>((resolve, reject) => {
        this.#server!.once('error', reject);
        this.#server!.listen(this.options.port ?? 7071, '127.0.0.1', () => resolve());
      });
      this.#origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;

      const settings =
        typeof this.options.settings === 'function'
          ? this.options.settings(this.#origin)
          : this.options.settings;
      this.#applySettings(settings ?? {});
      registry.logSink = (level, _category, message) =>
        this.#log(level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug', message);
      this.#functions = this.options.functions ?? loadFunctionApp(this.options);
      await this.options.beforeTriggers;
      await this.#runHooks('appStart');
      this.#startTriggers(this.#config);
      await Promise.all(this.#pollers.map((poller) => poller.start()));
      markReady();
      this.#log(
        'info',
        `Local Functions host listening on ${this.#origin} (${this.#functions.length} functions)`,
      );
      return this;
    } catch (error) {
      failReady(error);
      await this.stop();
      throw error;
    }
  }

  #applySettings(settings: HostSettings): void {
    const restore = this.options.restoreEnvironment ?? true;
    for (const [name, value] of Object.entries(appEnvironment(settings))) {
      if (restore && !this.#savedEnvironment.has(name)) this.#savedEnvironment.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    disposeApp(); // the app reads its settings again
  }

  #startTriggers(config: HostConfig): void {
    this.#routes = httpRoutes(this.#functions, config.routePrefix, this.invoker);
    this.#dispatch = createHttpDispatcher({
      routes: this.#routes,
      routePrefix: config.routePrefix,
      invoker: this.invoker,
      extraRoutes: this.options.extraRoutes ?? {},
      functionsKey: () => process.env.FUNCTIONS_KEY,
    });
    const receiveVisibilitySeconds = Math.ceil(
      Math.min(config.functionTimeoutMs + 60_000, 7 * 86_400_000) / 1000,
    );
    for (const registration of this.#functions) {
      const trigger = this.invoker.triggerOf(registration);
      const name = registration.metadata.name;
      const extras = Object.entries(registration.metadata.bindings).filter(
        ([key, binding]) => binding !== trigger && !(key === '$return' && binding.type === 'http'),
      );
      if (extras.length > 0) {
        this.#log(
          'warn',
          `Function ${name}: extra input/output bindings are not supported by the local host`,
        );
      }
      if (trigger.type === 'timerTrigger') {
        this.#timers.push(scheduleTimer(registration, this.invoker, process.env, this.#log));
      } else if (trigger.type === 'queueTrigger') {
        this.#pollers.push(
          new QueuePoller(
            registration,
            this.invoker,
            config.queues,
            receiveVisibilitySeconds,
            this.#log,
            process.env,
          ),
        );
      } else if (trigger.type !== 'httpTrigger') {
        this.#unsupported.push({ functionName: name, triggerType: trigger.type });
        this.#log('warn', `Function ${name}: trigger ${trigger.type} is not supported by the local host`);
      }
    }
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    try {
      await this.#ready;
      if (this.#stopping || !this.#dispatch) {
        response.setHeader('Connection', 'close');
        return sendProblem(response, {
          status: 503,
          title: 'Service unavailable',
          detail: 'The host is stopping',
        });
      }
      await this.#dispatch(request, response);
    } catch (error) {
      this.#log('error', `Request ${request.method} ${request.url} failed: ${(error as Error).message}`);
      if (!response.headersSent) {
        sendProblem(response, {
          status: 500,
          title: 'Internal server error',
          detail: 'The local host failed',
        });
      } else {
        response.destroy();
      }
    }
  }

  describe(): HostDescription {
    return {
      origin: this.#origin,
      http: this.#routes.map(({ functionName, path: routePath, methods, authLevel }) => ({
        functionName,
        path: routePath,
        methods,
        authLevel,
      })),
      timers: this.#timers.map((timer) => ({
        functionName: timer.functionName,
        schedule: timer.schedule,
        nextRun: timer.nextRun(),
      })),
      queues: this.#pollers.map((poller) => poller.info),
      unsupported: this.#unsupported,
    };
  }

  async #runHooks(name: 'appStart' | 'appTerminate'): Promise<void> {
    for (const hook of registry.hooks.get(name) ?? []) {
      await hook({ hookData: {}, appHookData: {}, functionAppDirectory: projectRoot() });
    }
  }

  /** Stops taking work, lets running invocations finish, then closes everything. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const timer of this.#timers) timer.stop();
    await Promise.all(this.#pollers.map((poller) => poller.stop()));
    const server = this.#server;
    const closed = server?.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    server?.closeIdleConnections();
    await this.invoker.drain();
    server?.closeIdleConnections();
    const force = setTimeout(() => server?.closeAllConnections(), 2_000);
    await closed;
    clearTimeout(force);
    if (this.#functions.length > 0) await this.#runHooks('appTerminate').catch(() => undefined);
    registry.logSink = undefined;
    for (const [name, value] of this.#savedEnvironment) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (this.#savedEnvironment.size > 0) disposeApp();
    this.#savedEnvironment.clear();
  }
}

/** Starts a host; see LocalFunctionsHostOptions. */
export async function startLocalFunctionsHost(
  options: LocalFunctionsHostOptions = {},
): Promise<LocalFunctionsHost> {
  return new LocalFunctionsHost(options).start();
}
