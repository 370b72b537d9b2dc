import { refusedInAzure, type AppConfig } from '../config/config';
import { CONSOLE_PATH, LOCAL_SIGN_IN_PATH, type ConsoleSignIn } from './signInSettings';

const withoutApiScheme = (audience: string) => audience.replace(/^api:\/\//, '');

export function consoleSignIn(config: AppConfig): ConsoleSignIn {
  if (config.AUTH_MODE === 'local') {
    const refusal = refusedInAzure(config, 'Local sign-in is', 'Use AUTH_MODE=entra.');
    return refusal
      ? { mode: 'unavailable', message: refusal }
      : { mode: 'local', tokenUrl: LOCAL_SIGN_IN_PATH };
  }
  const audience = config.ENTRA_AUDIENCE ?? '';
  const clientId = config.CONSOLE_CLIENT_ID ?? withoutApiScheme(audience);
  const authority = config.CONSOLE_AUTHORITY ?? config.ENTRA_ISSUER?.replace(/\/v2\.0$/, '');
  if (!clientId || !authority) {
    return {
      mode: 'unavailable',
      message: 'Sign-in is not configured: set CONSOLE_CLIENT_ID and CONSOLE_AUTHORITY.',
    };
  }
  return {
    mode: 'entra',
    clientId,
    authority,
    scopes: [config.CONSOLE_API_SCOPE ?? `api://${withoutApiScheme(audience)}/access_as_user`],
    redirectUri: `${config.PUBLIC_BASE_URL}${CONSOLE_PATH}`,
  };
}
