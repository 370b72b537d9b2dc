import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createTelemetry, type Telemetry } from '../../shared/telemetry/telemetry';

/** Telemetry into in-memory exporters, read back the way an exporter to Application Insights sees it. */
export function inMemoryTelemetry() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meters = new MeterProvider({ readers: [reader] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggers = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
  });
  const telemetry: Telemetry = createTelemetry({ meters, loggers });

  /** Every data point of a metric, as `{ attributes, value }`. */
  async function points(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]> {
    await reader.forceFlush();
    const exported: ResourceMetrics[] = metricExporter.getMetrics();
    const latest = exported.at(-1);
    const metric = latest?.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map((point) => ({ attributes: point.attributes, value: point.value }));
  }
  const events = () =>
    logExporter
      .getFinishedLogRecords()
      .map((record) => ({ body: record.body, attributes: record.attributes }));
  return { telemetry, points, events, shutdown: () => Promise.all([meters.shutdown(), loggers.shutdown()]) };
}
