import { AZURE_MARKERS } from '../../shared/config/config';
import type { HostSettings } from './host';

/** Settings the local host reads itself; they are no settings of the app (shared/config). */
export const HOST_SETTINGS = {
  FUNCTIONS_KEY:
    'Key that function- and admin-level HTTP triggers require (`code` query or `x-functions-key` header). In Azure the host manages keys.',
  DEV_SKIP_FUNCTIONS_ENV_CHECK:
    '`true`: the app does not see the variables Azure sets, so it never takes the machine for Azure.',
} as const;

/** The environment the app gets from the host's settings: with DEV_SKIP_FUNCTIONS_ENV_CHECK, Azure's variables unset. */
export function appEnvironment(settings: HostSettings): HostSettings {
  if (!['true', '1'].includes(settings.DEV_SKIP_FUNCTIONS_ENV_CHECK ?? '')) return settings;
  return { ...settings, ...Object.fromEntries(AZURE_MARKERS.map((name) => [name, undefined])) };
}
