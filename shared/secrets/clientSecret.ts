import { CLIENT_SECRET_NAME, type SecretStore } from './secretStore';

/** The RollWorks OAuth client secret from the secret store, with a clear error when it is missing. */
export async function readClientSecret(store: SecretStore): Promise<string> {
  const secret = await store.get(CLIENT_SECRET_NAME);
  if (!secret) {
    throw new Error(
      `The RollWorks client secret is missing: store it as secret "${CLIENT_SECRET_NAME}" (Key Vault) or set ROLLWORKS_CLIENT_SECRET (local stack).`,
    );
  }
  return secret;
}
