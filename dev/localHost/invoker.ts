import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { format } from 'node:util';
import { InvocationContext, type LogLevel, type TriggerMetadata } from '@azure/functions';
import type { FunctionRegistration, RpcBindingInfo } from './functionsCore';

export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the host writes its own lines and the functions' context.log lines. */
export type HostLog = (level: HostLogLevel, message: string, functionName?: string) => void;

export interface InvocationRecord {
  invocationId: string;
  functionName: string;
  triggerType: string;
  startedAt: Date;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  error?: string;
  triggerMetadata?: TriggerMetadata;
}

const LEVELS: Record<LogLevel, HostLogLevel> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: 'debug',
};

/** Runs handlers with an InvocationContext like the worker builds, and keeps track of them. */
export class Invoker extends EventEmitter<{ invocation: [InvocationRecord] }> {
  readonly history: InvocationRecord[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(private readonly log: HostLog) {
    super();
  }

  triggerOf(registration: FunctionRegistration): RpcBindingInfo {
    const trigger = Object.values(registration.metadata.bindings).find(
      (binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'),
    );
    if (!trigger) throw new Error(`Function ${registration.metadata.name} has no trigger binding`);
    return trigger;
  }

  invoke(
    registration: FunctionRegistration,
    input: unknown,
    triggerMetadata?: TriggerMetadata,
  ): Promise<unknown> {
    const run = this.#run(registration, input, triggerMetadata);
    this.#inFlight.add(run);
    const forget = () => this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  async #run(registration: FunctionRegistration, input: unknown, triggerMetadata?: TriggerMetadata) {
    const { name, bindings } = registration.metadata;
    const invocationId = randomUUID();
    const trigger = this.triggerOf(registration);
    const outputs = Object.entries(bindings).filter(([, binding]) => binding.direction === 'out');
    const context = new InvocationContext({
      invocationId,
      functionName: name,
      triggerMetadata,
      options: {
        trigger: trigger as never,
        return: outputs.find(([key]) => key === '$return')?.[1] as never,
        extraInputs: [],
        extraOutputs: [],
      },
      logHandler: (level, ...args) => this.log(LEVELS[level] ?? 'info', format(...args), name),
    });
    const startedAt = new Date();
    const record = (outcome: InvocationRecord['outcome'], error?: unknown): InvocationRecord => {
      const entry: InvocationRecord = {
        invocationId,
        functionName: name,
        triggerType: trigger.type,
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        outcome,
        triggerMetadata,
        ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
      };
      this.history.push(entry);
      if (this.history.length > 1000) this.history.shift();
      this.emit('invocation', entry);
      return entry;
    };
    try {
      const result = await registration.handler(input, context);
      const entry = record('succeeded');
      this.log('debug', `Executed '${name}' (Succeeded, Id=${invocationId}, Duration=${entry.durationMs}ms)`);
      return result;
    } catch (error) {
      const entry = record('failed', error);
      this.log(
        'error',
        `Executed '${name}' (Failed, Id=${invocationId}, Duration=${entry.durationMs}ms): ${entry.error}`,
      );
      throw error;
    }
  }

  /** Resolves when every invocation started so far has finished. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
