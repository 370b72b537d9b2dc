import { metrics, type Attributes, type MeterProvider } from '@opentelemetry/api';
import { logs, SeverityNumber, type LoggerProvider } from '@opentelemetry/api-logs';

export const TELEMETRY_SCOPE = 'rollworks-export';

export type RequestOutcome = 'ok' | '429' | '5xx' | 'error';

export interface SegmentRunTelemetry {
  exportId: string;
  runId: string;
  segment: string;
  status: string;
  read: number;
  valid: number;
  sent: number;
  rejected: number;
  durationMs: number;
}

export interface RunTelemetry {
  exportId: string;
  runId: string;
  status: string;
  trigger: string;
  segments: number;
  durationMs: number;
}

/**
 * The app's metrics and custom events, through OpenTelemetry (Application Insights in Azure).
 * Attributes carry ids, statuses and counts only: never an email, a hash or a token.
 */
export interface Telemetry {
  segmentRun(result: SegmentRunTelemetry): void;
  destinationRequest(outcome: RequestOutcome, attributes: { destination: string; operation: string }): void;
  budgetUsed(used: number, limit: number): void;
  runCompleted(run: RunTelemetry): void;
  /** An event that an alert rule (infra/modules/alerts.bicep) watches for; see ALERT_EVENTS. */
  alert(name: AlertEvent, attributes: Record<string, string | number>): void;
}

/** Custom events the Bicep alert rules query, by name: keep both in step (a test compares them). */
export const ALERT_EVENTS = {
  segmentFailed: 'SegmentFailed',
  reauthorizationRequired: 'ConnectionReauthorizationRequired',
  budgetExhausted: 'DailyBudgetExhausted',
  exportOverdue: 'ExportOverdue',
} as const;

export type AlertEvent = (typeof ALERT_EVENTS)[keyof typeof ALERT_EVENTS];

/** Instruments on the given providers, or on the global ones (registered at app start) when absent. */
export function createTelemetry(
  providers: { meters?: MeterProvider; loggers?: LoggerProvider } = {},
): Telemetry {
  let instruments: ReturnType<typeof createInstruments> | undefined;
  const get = () => (instruments ??= createInstruments(providers.meters ?? metrics.getMeterProvider()));
  const logger = () => (providers.loggers ?? logs.getLoggerProvider()).getLogger(TELEMETRY_SCOPE);

  const customEvent = (name: string, attributes: Attributes) =>
    logger().emit({
      severityNumber: SeverityNumber.INFO,
      body: name,
      // Application Insights records a log with this attribute as a custom event of that name.
      attributes: { 'microsoft.custom_event.name': name, ...attributes },
    });

  return {
    segmentRun(result) {
      const { rows, duration } = get();
      const ids = { exportId: result.exportId, segment: result.segment, status: result.status };
      for (const kind of ['read', 'valid', 'sent', 'rejected'] as const)
        rows.add(result[kind], { ...ids, kind });
      duration.record(result.durationMs / 1000, ids);
    },
    destinationRequest(outcome, attributes) {
      get().requests.add(1, { ...attributes, outcome });
    },
    budgetUsed(used, limit) {
      get().budget.record(used, { limit });
    },
    runCompleted(run) {
      customEvent('RunCompleted', { ...run });
    },
    alert(name, attributes) {
      customEvent(name, attributes);
    },
  };
}

function createInstruments(provider: MeterProvider) {
  const meter = provider.getMeter(TELEMETRY_SCOPE);
  return {
    rows: meter.createCounter('rollworks_export.segment.rows', {
      description: 'Rows of a segment run, by kind: read, valid, sent, rejected.',
    }),
    duration: meter.createHistogram('rollworks_export.segment.duration', {
      description: 'Duration of a segment run.',
      unit: 's',
    }),
    requests: meter.createCounter('rollworks_export.destination.requests', {
      description: 'Requests to the ad platform, by outcome: ok, 429, 5xx, error.',
    }),
    budget: meter.createGauge('rollworks_export.destination.budget.used', {
      description: 'Requests of the daily budget used so far today.',
    }),
  };
}

export const silentTelemetry: Telemetry = {
  segmentRun: () => undefined,
  destinationRequest: () => undefined,
  budgetUsed: () => undefined,
  runCompleted: () => undefined,
  alert: () => undefined,
};
