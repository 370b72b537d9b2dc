import { refusedInAzure, type AppConfig } from '../config/config';
import type { StorageClients } from '../storage/clients';
import { azureCredential } from '../azureCredential';
import { CLIENT_SECRET_NAME, type SecretStore } from './secretStore';
import { createKeyVaultSecretStore } from './keyVaultSecretStore';
import { createLocalSecretStore, LOCAL_SECRETS_TABLE } from './localSecretStore';

/** Key Vault (`SECRET_STORE=keyVault`, the default) or the local encrypted table store (refused in Azure). */
export function createSecretStore(config: AppConfig, storage: StorageClients): SecretStore {
  if (config.SECRET_STORE === 'keyVault') {
    if (!config.KEY_VAULT_URI) throw new Error('KEY_VAULT_URI is required when SECRET_STORE is keyVault.');
    return createKeyVaultSecretStore(config.KEY_VAULT_URI, azureCredential(config.AZURE_CLIENT_ID));
  }
  const refusal = refusedInAzure(
    config,
    'SECRET_STORE=local is',
    'Use SECRET_STORE=keyVault with KEY_VAULT_URI.',
  );
  if (refusal) throw new Error(refusal);
  if (!config.LOCAL_SECRET_KEY) throw new Error('LOCAL_SECRET_KEY is required when SECRET_STORE is local.');
  return createLocalSecretStore(storage.table(LOCAL_SECRETS_TABLE), {
    key: config.LOCAL_SECRET_KEY,
    // Locally the RollWorks client secret comes from settings until something writes it to the store.
    fallbacks: { [CLIENT_SECRET_NAME]: config.ROLLWORKS_CLIENT_SECRET },
  });
}
