import type { AppConfig } from '../../config/config';
import type { DestinationSignIn, TokenGrant } from '../destination';
import { rollWorksError } from './errors';
import type { Transport } from './transport';

export type OAuthSettings = Pick<AppConfig, 'ROLLWORKS_AUTH_BASE_URL' | 'ROLLWORKS_CLIENT_ID'>;

/** RollWorks' authorization-code grant (`/auth/authorize`, `/auth/token`); scope `all` is the only one. */
export function createRollWorksSignIn(
  config: OAuthSettings,
  send: Transport,
  getClientSecret: () => Promise<string>,
): DestinationSignIn {
  async function tokenRequest(operation: string, form: Record<string, string>): Promise<TokenGrant> {
    const body = new URLSearchParams({
      ...form,
      client_id: config.ROLLWORKS_CLIENT_ID,
      client_secret: await getClientSecret(),
    }).toString();
    const data = await send({
      operation,
      method: 'POST',
      url: `${config.ROLLWORKS_AUTH_BASE_URL}/auth/token`,
      body,
      contentType: 'application/x-www-form-urlencoded',
      idempotent: false,
      budgeted: false,
    });
    const grant = data as Record<string, unknown> | undefined;
    if (typeof grant?.access_token !== 'string' || typeof grant.refresh_token !== 'string') {
      throw rollWorksError('SERVER_ERROR', 'The RollWorks token response has no access or refresh token.');
    }
    return {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token,
      expiresInSeconds: Number(grant.expires_in) || 86_400,
      scope: typeof grant.scope === 'string' ? grant.scope : 'all',
    };
  }

  return {
    authorizeUrl(state, redirectUri) {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: config.ROLLWORKS_CLIENT_ID,
        redirect_uri: redirectUri,
        state,
        scope: 'all',
      });
      return `${config.ROLLWORKS_AUTH_BASE_URL}/auth/authorize?${query.toString()}`;
    },
    exchangeCode: (code, redirectUri) =>
      tokenRequest('exchangeCode', { grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: (refreshToken) =>
      tokenRequest('refreshToken', { grant_type: 'refresh_token', refresh_token: refreshToken }),
  };
}
