/**
 * Stand-in for the `@azure/functions-core` module that the real Node.js worker provides. The
 * `@azure/functions` library calls it from `app.http/app.timer/app.storageQueue`; here every call is
 * captured so the local host can serve the very same registrations. Jest maps the module name to this
 * file (jest.config.js); plain node gets it through `installFunctionsCore()` in functionsCoreHook.ts.
 */

export interface RpcBindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: 'anonymous' | 'function' | 'admin';
  schedule?: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
  queueName?: string;
  connection?: string;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface FunctionRegistration {
  metadata: FunctionMetadata;
  handler: FunctionCallback;
}

export type HookCallback = (context: Record<string, unknown>) => unknown;

export class Disposable {
  #callOnDispose?: () => unknown;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => disposables.forEach((disposable) => disposable.dispose()));
  }
  dispose(): unknown {
    const callback = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return callback?.();
  }
}

type LogSink = (level: string, category: string, message: string) => void;

/** Everything the library registered in this module instance. */
export const registry = {
  functions: [] as FunctionRegistration[],
  hooks: new Map<string, HookCallback[]>(),
  programmingModel: undefined as unknown,
  logSink: undefined as LogSink | undefined,
};

export const version = '4.0.0-local';

export function registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): Disposable {
  const registration = { metadata, handler };
  registry.functions.push(registration);
  return new Disposable(() => {
    registry.functions = registry.functions.filter((entry) => entry !== registration);
  });
}

export function setProgrammingModel(programmingModel: unknown): void {
  registry.programmingModel = programmingModel;
}

export function getProgrammingModel(): unknown {
  return registry.programmingModel;
}

export function registerHook(hookName: string, callback: HookCallback): Disposable {
  const callbacks = registry.hooks.get(hookName) ?? [];
  callbacks.push(callback);
  registry.hooks.set(hookName, callbacks);
  return new Disposable(() => {
    registry.hooks.set(
      hookName,
      (registry.hooks.get(hookName) ?? []).filter((entry) => entry !== callback),
    );
  });
}

/** System logs of the library (not user logs: those go through the InvocationContext). */
export function log(level: string, category: string, message: string): void {
  registry.logSink?.(level, category, message);
}
