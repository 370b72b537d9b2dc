import { randomUUID } from 'node:crypto';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { FunctionRegistration } from './functionsCore';
import { resolveSettingExpression, type QueueSettings } from './hostConfig';
import type { HostLog, Invoker } from './invoker';

const MIN_POLL_DELAY_MS = 100;

export interface QueuePollerInfo {
  functionName: string;
  queueName: string;
  poisonQueueName: string;
}

/** Storage connection string for a binding's `connection` setting name, as the host looks it up. */
export function connectionStringFor(
  connection: string | undefined,
  settings: Record<string, string | undefined>,
): string | undefined {
  const name = connection || 'AzureWebJobsStorage';
  return settings[name] || settings[`AzureWebJobs${name}`];
}

/**
 * Polls one queue for one queue-trigger function with the host.json `extensions.queues` semantics:
 * batches of `batchSize`, a new batch once in-flight messages drop to `newBatchThreshold`, exponential
 * back-off up to `maxPollingInterval` on an empty queue, failed messages made visible again after
 * `visibilityTimeout`, and after `maxDequeueCount` failed tries moved to `<queue>-poison`.
 */
export class QueuePoller {
  readonly info: QueuePollerInfo;
  #client!: QueueClient;
  #poison!: QueueClient;
  #stopped = false;
  #inFlight = 0;
  #wake?: () => void;
  #loop?: Promise<void>;
  readonly #processing = new Set<Promise<void>>();

  constructor(
    private readonly registration: FunctionRegistration,
    private readonly invoker: Invoker,
    private readonly queues: QueueSettings,
    private readonly receiveVisibilitySeconds: number,
    private readonly log: HostLog,
    settings: Record<string, string | undefined>,
  ) {
    const name = registration.metadata.name;
    const trigger = invoker.triggerOf(registration);
    const queueName = resolveSettingExpression(
      String(trigger.queueName ?? ''),
      settings,
      `Function ${name} queueName`,
    )
      .trim()
      .toLowerCase();
    const connectionString = connectionStringFor(trigger.connection, settings);
    if (!connectionString) {
      throw new Error(
        `Function ${name}: storage connection setting ${trigger.connection || 'AzureWebJobsStorage'} is not set`,
      );
    }
    this.info = { functionName: name, queueName, poisonQueueName: `${queueName}-poison` };
    const { QueueClient } = require('@azure/storage-queue') as typeof import('@azure/storage-queue');
    this.#client = new QueueClient(connectionString, queueName);
    this.#poison = new QueueClient(connectionString, this.info.poisonQueueName);
  }

  async start(): Promise<void> {
    await this.#client.createIfNotExists();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    while (this.#processing.size > 0) await Promise.allSettled([...this.#processing]);
  }

  async #run(): Promise<void> {
    let delay = MIN_POLL_DELAY_MS;
    while (!this.#stopped) {
      if (this.#inFlight > this.queues.newBatchThreshold) {
        await this.#sleep(this.queues.maxPollingIntervalMs);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        const response = await this.#client.receiveMessages({
          numberOfMessages: this.queues.batchSize,
          visibilityTimeout: this.receiveVisibilitySeconds,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        if (this.#stopped) break;
        this.log('warn', `Polling ${this.info.queueName} failed: ${(error as Error).message}`);
      }
      if (messages.length === 0) {
        await this.#sleep(delay);
        delay = Math.min(delay * 2, Math.max(MIN_POLL_DELAY_MS, this.queues.maxPollingIntervalMs));
        continue;
      }
      delay = MIN_POLL_DELAY_MS;
      for (const message of messages) {
        this.#inFlight++;
        const work = this.#process(message).finally(() => {
          this.#inFlight--;
          this.#processing.delete(work);
          if (this.#inFlight <= this.queues.newBatchThreshold) this.#wake?.();
        });
        this.#processing.add(work);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async #process(message: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount, visibilityTimeoutMs, messageEncoding } = this.queues;
    try {
      if (message.dequeueCount > maxDequeueCount) {
        await this.#moveToPoison(message);
        return;
      }
      const text =
        messageEncoding === 'base64'
          ? Buffer.from(message.messageText, 'base64').toString('utf8')
          : message.messageText;
      const triggerMetadata = {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        popReceipt: message.popReceipt,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
        queueTrigger: text,
        sys: {
          methodName: this.registration.metadata.name,
          utcNow: new Date().toISOString(),
          randGuid: randomUUID(),
        },
      };
      let succeeded = false;
      try {
        await this.invoker.invoke(this.registration, parseLikeTheWorker(text), triggerMetadata);
        succeeded = true;
      } catch {
        // logged by the invoker
      }
      if (succeeded) {
        await this.#client.deleteMessage(message.messageId, message.popReceipt);
      } else if (message.dequeueCount >= maxDequeueCount) {
        await this.#moveToPoison(message);
      } else {
        await this.#client.updateMessage(
          message.messageId,
          message.popReceipt,
          message.messageText,
          Math.ceil(visibilityTimeoutMs / 1000),
        );
      }
    } catch (error) {
      this.log(
        'warn',
        `Settling message ${message.messageId} of ${this.info.queueName} failed: ${(error as Error).message}`,
      );
    }
  }

  async #moveToPoison(message: DequeuedMessageItem): Promise<void> {
    await this.#poison.createIfNotExists();
    await this.#poison.sendMessage(message.messageText);
    await this.#client.deleteMessage(message.messageId, message.popReceipt);
    this.log(
      'warn',
      `Message ${message.messageId} moved to ${this.info.poisonQueueName} after ${message.dequeueCount} tries`,
      this.registration.metadata.name,
    );
  }
}

/** The worker hands string payloads to handlers JSON-parsed when they are JSON, else as the string. */
function parseLikeTheWorker(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
