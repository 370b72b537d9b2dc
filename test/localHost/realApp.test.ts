import { QueueClient } from '@azure/storage-queue';
import { loadFunctionApp } from '../../dev/localHost/loadFunctionApp';
import type { InvocationRecord } from '../../dev/localHost/invoker';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(); // the app's own functions/*.ts, as package.json main names them
});

afterAll(async () => {
  await stack?.stop();
});

function nextInvocation(functionName: string, timeoutMs = 20_000): Promise<InvocationRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stack.host.invoker.off('invocation', listener);
      reject(new Error(`${functionName} was not invoked within ${timeoutMs} ms\n${stack.logs.join('\n')}`));
    }, timeoutMs);
    const listener = (record: InvocationRecord) => {
      if (record.functionName !== functionName) return;
      clearTimeout(timer);
      stack.host.invoker.off('invocation', listener);
      resolve(record);
    };
    stack.host.invoker.on('invocation', listener);
  });
}

/** A concrete path for a route template: every parameter gets a value its constraint accepts. */
function samplePath(template: string): string {
  return template.replace(
    /\{\*{0,2}(\w+)(?::([^}?=]+))?\??(?:=[^}]*)?\}/g,
    (_, _name: string, constraint?: string) =>
      constraint?.includes('guid') ? '00000000-0000-4000-8000-000000000001' : '1',
  );
}

describe('the local host serving the real app', () => {
  it('answers /api/health', async () => {
    const response = await stack.fetch('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves every function the app registers', async () => {
    const registered = loadFunctionApp().map((registration) => registration.metadata.name);
    const description = stack.host.describe();
    expect(description.unsupported).toEqual([]);
    const served = [
      ...description.http.map((route) => route.functionName),
      ...description.timers.map((timer) => timer.functionName),
      ...description.queues.map((poller) => poller.functionName),
    ];
    expect([...served].sort()).toEqual([...registered].sort());
    expect(registered.length).toBeGreaterThan(0);
  });

  it('reaches every HTTP function through its route and method', async () => {
    const unreached: string[] = [];
    for (const route of stack.host.describe().http) {
      const method = route.methods === 'any' ? 'GET' : route.methods[0];
      const invoked = nextInvocation(route.functionName, 10_000);
      const response = await stack.fetch(
        `${samplePath(route.path)}${route.authLevel === 'anonymous' ? '' : `?code=${stack.settings.FUNCTIONS_KEY}`}`,
        {
          method,
          redirect: 'manual',
          ...(method === 'GET' || method === 'HEAD'
            ? {}
            : { body: '{}', headers: { 'content-type': 'application/json' } }),
        },
      );
      await response.arrayBuffer(); // the function may answer 401/404 itself: what matters is that it ran
      await invoked.catch(() =>
        unreached.push(`${method} ${route.path} (${route.functionName}) -> ${response.status}`),
      );
    }
    expect(unreached).toEqual([]);
  });

  it('schedules every timer function', () => {
    for (const timer of stack.host.describe().timers) {
      expect(timer.schedule.split(/\s+/)).toHaveLength(6);
      expect(timer.nextRun?.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('polls every queue function: a message put on its queue reaches it', async () => {
    for (const poller of stack.host.describe().queues) {
      const invoked = nextInvocation(poller.functionName);
      await new QueueClient(stack.settings.AzureWebJobsStorage, poller.queueName).sendMessage(
        Buffer.from(JSON.stringify({ v: 1, kind: 'local-host-check' })).toString('base64'),
      );
      const record = await invoked;
      expect(record.triggerMetadata).toMatchObject({ dequeueCount: 1 });
    }
  });
});
