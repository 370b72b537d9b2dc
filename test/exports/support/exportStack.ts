import { HttpRequest, InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { randomBytes } from 'node:crypto';
import { startAzurite, type AzuriteInstance } from '../../../dev/azurite';
import { localJwks, signLocalToken, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../../dev/localAuth';
import {
  DEFAULT_CLIENT,
  DEMO_ADVERTISABLES,
  startSimulator,
  type RunningSimulator,
} from '../../../dev/simulator';
import { loadConfig } from '../../../shared/config/config';
import { createServices, disposeApp, startApp, type Services } from '../../../shared/services';
import { httpHandler } from '../../../shared/http/handler';
import type { Route } from '../../../shared/http/route';
import type { Role } from '../../../shared/model/identity';
import { silentLogger } from '../../../shared/logging/logger';
import { startJsonServer, type JsonServer } from '../../connections/support/jwksServer';
import { createFakeConnections } from '../fakes/fakeConnections';

export const ADVERTISER = DEMO_ADVERTISABLES[0];

/** Response bodies as tests read them (any shape; the assertions check it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export type Caller = Role | 'none';

/** Azurite + RollWorks simulator + local token issuer, with the app's services wired to them. */
export async function startExportStack(
  settings: Record<string, string> = {},
  overrides: Partial<Services> = {},
) {
  const azurite: AzuriteInstance = await startAzurite();
  const simulator: RunningSimulator = await startSimulator();
  const jwks: JsonServer = await startJsonServer({ '/jwks.json': () => localJwks() });
  const config = loadConfig({
    AzureWebJobsStorage: azurite.connectionString,
    ROLLWORKS_API_BASE_URL: simulator.url,
    ROLLWORKS_AUTH_BASE_URL: simulator.url,
    ROLLWORKS_CLIENT_ID: DEFAULT_CLIENT.clientId,
    ROLLWORKS_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    SECRET_STORE: 'local',
    LOCAL_SECRET_KEY: randomBytes(32).toString('base64'),
    AUTH_MODE: 'local',
    ENTRA_ISSUER: LOCAL_ISSUER,
    ENTRA_AUDIENCE: LOCAL_AUDIENCE,
    LOCAL_AUTH_JWKS_URI: `${jwks.url}/jwks.json`,
    ROLLWORKS_DAILY_REQUEST_BUDGET: '100000',
    ...settings,
  });
  const tokens = simulator.state.issueTokens();
  const connections = createFakeConnections(() => tokens.accessToken);
  let now: Date | null = null;
  const clock = { now: () => (now ? new Date(now) : new Date()) };
  const services: Services = createServices(config, {
    connections: connections.service,
    clock,
    ...overrides,
  });
  startApp(services);
  const queue = new QueueClient(azurite.connectionString, config.EXPORT_QUEUE_NAME);

  const tokenCache = new Map<string, string>();
  async function authorization(caller: Caller, sub: string): Promise<Record<string, string>> {
    if (caller === 'none') return {};
    const key = `${caller}/${sub}`;
    if (!tokenCache.has(key)) {
      tokenCache.set(key, await signLocalToken({ roles: [caller], sub, name: `${caller.slice(8)} ${sub}` }));
    }
    return { authorization: `Bearer ${tokenCache.get(key)}` };
  }

  return {
    config,
    services,
    simulator,
    connections,
    /** Fixes the services' clock (null: real time). */
    setNow(date: Date | null) {
      now = date;
    },

    /** Calls a route of the route table with a real HttpRequest, as the host would. */
    async call(
      route: Route,
      options: {
        method: string;
        path: string;
        params?: Record<string, string>;
        body?: unknown;
        as?: Caller;
        sub?: string;
        headers?: Record<string, string>;
      },
    ): Promise<{ status: number; body: JsonBody; headers: Record<string, string> }> {
      const request = new HttpRequest({
        method: options.method,
        url: `http://127.0.0.1:7071${options.path}`,
        params: options.params ?? {},
        headers: {
          ...(await authorization(options.as ?? 'Exports.Admin', options.sub ?? 'user-1')),
          ...options.headers,
        },
        ...(options.body === undefined
          ? {}
          : {
              body: {
                string: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
              },
            }),
      });
      const context = new InvocationContext({ functionName: 'test', logHandler: () => undefined });
      const response = await httpHandler(route)(request, context);
      return {
        status: response.status ?? 200,
        body: response.jsonBody,
        headers: Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>)),
      };
    },

    /** A segment folder: a CSV partition, and a manifest when `manifestRows` is given. */
    async writeSegment(name: string, options: { rows?: number; fields?: string[]; manifestRows?: number }) {
      const container = services.storage.segmentsContainer();
      await container.createIfNotExists();
      const fields = options.fields ?? ['email', 'firstName'];
      const lines = [fields.join(',')];
      for (let i = 0; i < (options.rows ?? 1); i++) {
        lines.push(fields.map((f) => (f === 'email' ? `p${i}@example.com` : `v${i}`)).join(','));
      }
      const csv = `${lines.join('\n')}\n`;
      await container.getBlockBlobClient(`${name}/part-00000.csv`).upload(csv, Buffer.byteLength(csv));
      if (options.manifestRows !== undefined) {
        const manifest = JSON.stringify({
          rowCount: options.manifestRows,
          fields,
          generatedAt: new Date().toISOString(),
        });
        await container
          .getBlockBlobClient(`${name}/manifest.json`)
          .upload(manifest, Buffer.byteLength(manifest));
      }
    },

    /** The queue messages the app sent (decoded), without removing them. */
    async queuedMessages(): Promise<{ runId: string; exportId: string; segment: string }[]> {
      if (!(await queue.exists())) return [];
      const out: { runId: string; exportId: string; segment: string }[] = [];
      const peeked = await queue.peekMessages({ numberOfMessages: 32 });
      for (const message of peeked.peekedMessageItems) {
        out.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')));
      }
      return out;
    },
    /** Plays the Functions host's queue trigger: hands every message to the worker until none is left. */
    async drainQueueThroughWorker(): Promise<number> {
      let handled = 0;
      for (;;) {
        if (!(await queue.exists())) return handled;
        const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16 });
        if (receivedMessageItems.length === 0) return handled;
        for (const item of receivedMessageItems) {
          const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
          await services.worker.handle(
            message,
            { dequeueCount: item.dequeueCount, messageId: item.messageId },
            silentLogger,
          );
          await queue.deleteMessage(item.messageId, item.popReceipt);
          handled++;
        }
      }
    },
    async clearQueue() {
      if (await queue.exists()) await queue.clearMessages();
    },

    async stop() {
      disposeApp();
      await Promise.allSettled([azurite.stop(), simulator.stop(), jwks.stop()]);
    },
  };
}

export type ExportStack = Awaited<ReturnType<typeof startExportStack>>;

export const principal = (role: Role, id = 'user-1') => ({
  id,
  name: `${role.slice(8)} ${id}`,
  roles: [role],
});

/** Ends every segment of a run the way the worker would (succeeded, or the given status). */
export async function finishRun(
  services: Services,
  runId: string,
  status: 'succeeded' | 'failed' = 'succeeded',
): Promise<void> {
  const run = await services.runs.get(runId);
  for (const segment of run?.segments ?? []) {
    await services.runs.updateSegment(runId, segment.segment, (current) => ({
      ...current,
      status,
      reason: status === 'failed' ? 'SEGMENT_TOO_SMALL' : null,
      error: status === 'failed' ? { code: 'SEGMENT_TOO_SMALL', message: 'fewer than 100' } : null,
      startedAt: current.startedAt ?? new Date().toISOString(),
      finishedAt: new Date().toISOString(),
    }));
  }
}

/** A valid export request body for the given connection and segments. */
export function exportBody(connectionId: string, segments: string[], extra: Record<string, unknown> = {}) {
  return {
    displayName: 'Newsletter audiences',
    connectionId,
    advertiserId: ADVERTISER.eid,
    emailField: 'email',
    segments,
    ...extra,
  };
}
