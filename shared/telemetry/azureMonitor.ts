import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { azureCredential } from '../azureCredential';
import { runsInAzure, type AppConfig } from '../config/config';

type UseAzureMonitor = (options: AzureMonitorOpenTelemetryOptions) => void;

const useAzureMonitor: UseAzureMonitor = (options) =>
  (require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry')).useAzureMonitor(
    options,
  );

/**
 * In Azure, sends the app's OpenTelemetry metrics, logs and custom events to Application Insights,
 * signed in with the managed identity (the resource has local authentication off). Answers whether it did.
 */
export function startAzureMonitor(config: AppConfig, use: UseAzureMonitor = useAzureMonitor): boolean {
  const connectionString = config.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString || !runsInAzure(config)) return false;
  use({
    azureMonitorExporterOptions: { connectionString, credential: azureCredential(config.AZURE_CLIENT_ID) },
  });
  return true;
}
