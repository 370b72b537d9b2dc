import { statusOf } from '../storage/tables';
import type { TokenCredential } from '@azure/identity';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import type { SecretStore } from './secretStore';
import { assertSecretName } from './secretName';

/**
 * Secrets in Azure Key Vault: `set` adds a new version (recovering a soft-deleted secret of that name
 * first), `delete` soft-deletes (the vault keeps it recoverable for its retention period).
 */
export function createKeyVaultSecretStore(
  vaultUrl: string,
  credential: TokenCredential,
  clientOptions: SecretClientOptions = {},
): SecretStore {
  let client: SecretClient | undefined;
  const secrets = (): SecretClient => {
    if (!client) {
      const { SecretClient } = require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets');
      client = new SecretClient(vaultUrl, credential, clientOptions);
    }
    return client;
  };

  return {
    async get(name) {
      assertSecretName(name);
      try {
        const secret = await secrets().getSecret(name);
        return secret.value;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async set(name, value) {
      assertSecretName(name);
      try {
        await secrets().setSecret(name, value);
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        // A soft-deleted secret of the same name blocks new versions: recover it, then write.
        const recovery = await secrets().beginRecoverDeletedSecret(name, { intervalInMs: 1000 });
        await recovery.pollUntilDone();
        await secrets().setSecret(name, value);
      }
    },
    async delete(name) {
      assertSecretName(name);
      try {
        await secrets().beginDeleteSecret(name);
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw error;
      }
    },
  };
}
