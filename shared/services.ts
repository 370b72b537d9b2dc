import { loadConfig, runsInAzure, type AppConfig } from './config/config';
import { systemClock, type Clock } from './clock';
import { createStorageClients, type StorageClients } from './storage/clients';
import type { SecretStore } from './secrets/secretStore';
import type { SegmentSource } from './segments/segmentSource';
import { createSecretStore } from './secrets/createSecretStore';
import { readClientSecret } from './secrets/clientSecret';
import { createSegmentSource } from './segments/blobSegmentSource';
import { createDestinations, type Destinations } from './destinations/registry';
import { createRollWorksDestination } from './destinations/rollworks';
import { createRequestBudget, type RequestBudget } from './destinations/rollworks/requestBudget';
import { createAuthenticator, type Authenticator } from './auth/authenticator';
import { createConnectionService, type ConnectionService } from './connections/connectionService';
import { createExportService, type ExportService } from './exports/exportService';
import { createRunService, type RunService } from './runs/runService';
import { createExportWorker, type ExportWorker } from './worker/exportWorker';
import { workerPorts } from './worker/workerPorts';
import {
  createExportQueue,
  createQueueSender,
  type ExportQueue,
  type QueueSender,
} from './queue/exportQueue';
import {
  deactivateAudienceMessageSchema,
  deliverWebhookMessageSchema,
  type DeactivateAudienceMessage,
  type DeliverWebhookMessage,
} from './queue/envelope';
import { createDiscontinuer, type Discontinuer } from './discontinue/discontinueService';
import { createAudienceDeactivator, type AudienceDeactivator } from './discontinue/audienceDeactivator';
import { consoleLogger } from './logging/logger';
import { createEventStores, type EventStores } from './events/eventStores';
import { createEventPublisher, type EventPublisher } from './events/eventPublisher';
import { createWebhookDeliverer, type WebhookDeliverer } from './events/webhookDeliverer';
import { createWebhookSender } from './events/webhookSender';
import { createWebhookService, type WebhookService } from './events/webhookService';
import { createRunEvents, type RunEvents } from './runs/runEvents';
import { createMatchReporter, type MatchReporter } from './matching/matchReporter';
import { createMatchStore, MATCH_REPORTS_TABLE } from './matching/matchStore';
import { lazyTable } from './storage/tables';
import { createTelemetry, type Telemetry } from './telemetry/telemetry';
import { createSuppressionService, type SuppressionService } from './suppressions/suppressionService';
import { createSuppressionStore } from './suppressions/suppressionStore';
import { createRetention, type Retention } from './retention/retentionService';

/**
 * Everything the function files call, created lazily on first use so that importing a function
 * file does nothing slow. Tests build their own with `createServices(config, overrides)`. This is the
 * app's composition root: `getServices`, `startApp` and `disposeApp` are its lifecycle.
 */
export interface Services {
  config: AppConfig;
  clock: Clock;
  storage: StorageClients;
  secrets: SecretStore;
  segments: SegmentSource;
  requestBudget: RequestBudget;
  /** The ad platforms audiences are exported to. */
  destinations: Destinations;
  authenticator: Authenticator;
  connections: ConnectionService;
  exports: ExportService;
  runs: RunService;
  exportQueue: ExportQueue;
  worker: ExportWorker;
  eventStores: EventStores;
  webhookQueue: QueueSender<DeliverWebhookMessage>;
  /** Publishes events to the webhooks subscribed to them (delivered from the webhook queue). */
  events: EventPublisher;
  webhookDeliverer: WebhookDeliverer;
  webhooks: WebhookService;
  /** Events and telemetry from changes of run state. */
  runEvents: RunEvents;
  telemetry: Telemetry;
  /** RollWorks' match report: audience sizes after matching, as a time series per export. */
  matchReports: MatchReporter;
  /** Removing an export or segment: its audiences kept or deactivated, its data deleted. */
  discontinue: Discontinuer;
  deactivationQueue: QueueSender<DeactivateAudienceMessage>;
  audienceDeactivator: AudienceDeactivator;
  /** One suppression list per connection (digests only); `remove` when a connection is deleted. */
  suppressions: SuppressionService;
  /** The daily pass deleting run data and reports past their retention. */
  retention: Retention;
}

/** Work outside an invocation logs to the console; locally that is the terminal, so only problems. */
const backgroundLogger = (config: AppConfig) =>
  consoleLogger(runsInAzure(config) ? config.LOG_LEVEL : 'warn');

type Factories = { [K in keyof Services]: (services: Services) => Services[K] };

const defaultFactories: Omit<Factories, 'config'> = {
  clock: () => systemClock,
  storage: (s) => createStorageClients(s.config),
  secrets: (s) => createSecretStore(s.config, s.storage),
  segments: (s) => createSegmentSource(s.config, s.storage),
  requestBudget: (s) => createRequestBudget(s.config, s.storage, s.clock, s.telemetry),
  destinations: (s) =>
    createDestinations(
      createRollWorksDestination(s.config, {
        budget: s.requestBudget,
        telemetry: s.telemetry,
        getClientSecret: () => readClientSecret(s.secrets),
      }),
    ),
  authenticator: (s) => createAuthenticator(s.config),
  connections: (s) => createConnectionService(s),
  exports: (s) => createExportService(s),
  runs: (s) => createRunService(s),
  exportQueue: (s) => createExportQueue(s.config, s.storage),
  worker: (s) =>
    createExportWorker(workerPorts(s), { heartbeatMs: (s.config.RUN_STALE_AFTER_SECONDS * 1000) / 6 }),
  eventStores: (s) => createEventStores(s.storage),
  webhookQueue: (s) => createQueueSender(s.storage, s.config.WEBHOOK_QUEUE_NAME, deliverWebhookMessageSchema),
  events: (s) =>
    createEventPublisher({
      ...s.eventStores,
      queue: s.webhookQueue,
      clock: s.clock,
      source: s.config.PUBLIC_BASE_URL,
      logger: backgroundLogger(s.config),
    }),
  webhookDeliverer: (s) =>
    createWebhookDeliverer({
      ...s.eventStores,
      secrets: s.secrets,
      sender: createWebhookSender({ inAzure: runsInAzure(s.config) }),
      queue: s.webhookQueue,
      publisher: () => s.events,
      clock: s.clock,
      logger: backgroundLogger(s.config),
    }),
  webhooks: (s) =>
    createWebhookService({
      config: s.config,
      clock: s.clock,
      secrets: s.secrets,
      ...s.eventStores,
      publisher: s.events,
    }),
  telemetry: () => createTelemetry(),
  runEvents: (s) =>
    createRunEvents({
      publisher: s.events,
      states: s.eventStores.states,
      telemetry: s.telemetry,
      exports: s.exports,
      matches: s.matchReports,
      logger: backgroundLogger(s.config),
    }),
  matchReports: (s) =>
    createMatchReporter({
      settings: s.config,
      clock: s.clock,
      store: createMatchStore(lazyTable(s.storage, MATCH_REPORTS_TABLE)),
      connections: s.connections,
      destinations: s.destinations,
      publisher: s.events,
      logger: backgroundLogger(s.config),
    }),
  deactivationQueue: (s) =>
    createQueueSender(s.storage, s.config.DEACTIVATION_QUEUE_NAME, deactivateAudienceMessageSchema),
  discontinue: (s) =>
    createDiscontinuer({
      clock: s.clock,
      storage: s.storage,
      connections: s.connections,
      destinations: s.destinations,
      queue: s.deactivationQueue,
    }),
  audienceDeactivator: (s) =>
    createAudienceDeactivator({
      clock: s.clock,
      store: s.discontinue.store,
      connections: s.connections,
      destinations: s.destinations,
      queue: s.deactivationQueue,
    }),
  retention: (s) => createRetention({ settings: s.config, storage: s.storage, clock: s.clock }),
  suppressions: (s) =>
    createSuppressionService({
      clock: s.clock,
      connections: s.connections,
      destinations: s.destinations,
      store: createSuppressionStore(() => s.storage.stateContainer()),
    }),
};

export function createServices(config: AppConfig, overrides: Partial<Services> = {}): Services {
  const instances: Partial<Services> = { config, ...overrides };
  const services = {} as Services;
  for (const key of Object.keys(defaultFactories) as (keyof typeof defaultFactories)[]) {
    Object.defineProperty(services, key, {
      enumerable: true,
      get: () => {
        if (instances[key] === undefined) {
          (instances as Record<string, unknown>)[key] = defaultFactories[key](services);
        }
        return instances[key];
      },
    });
  }
  Object.defineProperty(services, 'config', { enumerable: true, value: config });
  return services;
}

let current: Services | undefined;

/** The app's services, composed from the environment's settings on first use. */
export function getServices(): Services {
  current ??= createServices(loadConfig());
  return current;
}

/** Starts the app on services composed elsewhere (tests with fakes). */
export function startApp(services: Services): void {
  current = services;
}

/** Ends the app instance: the next use composes its services from the environment's settings again. */
export function disposeApp(): void {
  current = undefined;
}
