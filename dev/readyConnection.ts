import type { ApiClient } from './demo/apiClient';
import { openCallback, signInAndAllow } from './demo/oauthSignIn';
import { DEMO_USER } from './simulator';

interface ConnectionBody {
  displayName: string;
  access: 'admins' | 'adminsAndContributors';
}

/**
 * A connection made ready through the API as an admin would: consent, RollWorks sign-in at the
 * simulator (as the demo user), export user. For tests and benchmarks that need one quickly.
 */
export async function readyConnection(api: ApiClient, body: ConnectionBody): Promise<{ id: string }> {
  const created = await api.expect<{ id: string }>(201, 'POST', '/connections', {
    ...body,
    dataPrivacyConsent: true,
  });
  const { authorizeUrl } = await api.expect<{ authorizeUrl: string }>(
    200,
    'POST',
    `/connections/${created.id}/authorize`,
  );
  const page = await openCallback(await signInAndAllow(authorizeUrl, DEMO_USER));
  if (page.status !== 200) throw new Error(`the OAuth callback answered ${page.status}`);
  await api.expect(200, 'POST', `/connections/${created.id}/export-user`);
  return created;
}
