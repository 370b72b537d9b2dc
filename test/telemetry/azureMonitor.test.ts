import type { AppConfig } from '../../shared/config/config';
import { startAzureMonitor } from '../../shared/telemetry/azureMonitor';

const CONNECTION = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';

it('sends telemetry to Application Insights only in Azure with a connection string, as the managed identity', () => {
  const use = jest.fn();
  expect(startAzureMonitor({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION } as AppConfig, use)).toBe(
    false,
  );
  expect(startAzureMonitor({ WEBSITE_SKU: 'FlexConsumption' } as AppConfig, use)).toBe(false);
  expect(use).not.toHaveBeenCalled();

  const config = {
    APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION,
    WEBSITE_SKU: 'FlexConsumption',
    AZURE_CLIENT_ID: 'client-1',
  } as AppConfig;
  expect(startAzureMonitor(config, use)).toBe(true);
  expect(use).toHaveBeenCalledWith({
    azureMonitorExporterOptions: { connectionString: CONNECTION, credential: expect.anything() },
  });
  expect(typeof use.mock.calls[0][0].azureMonitorExporterOptions.credential.getToken).toBe('function');
});
