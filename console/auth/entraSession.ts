import { InteractionRequiredAuthError, PublicClientApplication, type AccountInfo } from '@azure/msal-browser';
import type { ConsoleSignIn } from '../../shared/console/signInSettings';
import { userOf, type Session } from './session';

type EntraSignIn = Extract<ConsoleSignIn, { mode: 'entra' }>;

/**
 * Microsoft Entra ID sign-in (authorization code with PKCE, by redirect). Loaded as its own chunk,
 * only when the app runs with Entra ID. Resolves once signed in; otherwise it navigates away to sign in.
 */
export async function entraSession(settings: EntraSignIn): Promise<Session> {
  const msal = new PublicClientApplication({
    auth: { clientId: settings.clientId, authority: settings.authority, redirectUri: settings.redirectUri },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const redirected = await msal.handleRedirectPromise();
  const account: AccountInfo | null = redirected?.account ?? msal.getAllAccounts()[0] ?? null;
  const request = { scopes: settings.scopes };
  if (!account) {
    await msal.loginRedirect({ ...request, redirectStartPage: location.href });
    return new Promise<never>(() => undefined); // the browser is leaving for the sign-in page
  }
  msal.setActiveAccount(account);
  const token = async () => {
    try {
      return (await msal.acquireTokenSilent({ ...request, account })).accessToken;
    } catch (error) {
      if (error instanceof InteractionRequiredAuthError) await msal.acquireTokenRedirect(request);
      throw error;
    }
  };
  return {
    user: userOf(await token()),
    token,
    signOut: () => void msal.logoutRedirect({ account, postLogoutRedirectUri: settings.redirectUri }),
  };
}
