import { app } from '@azure/functions';
import { assertLocalModesAllowed } from '../shared/auth/localModeGuard';
import { ConfigError, type AppConfig } from '../shared/config/config';
import { getServices } from '../shared/services';
import { startAzureMonitor } from '../shared/telemetry/azureMonitor';

// Refuse to start in Azure with the local token issuer or the local secret store switched on. Other
// configuration errors are reported by the first request that needs the setting.
app.hook.appStart(() => {
  let config: AppConfig;
  try {
    config = getServices().config;
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  assertLocalModesAllowed(config);
  startAzureMonitor(config);
});
