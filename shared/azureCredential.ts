import type { TokenCredential } from '@azure/identity';

const credentials = new Map<string, TokenCredential>();

/** One DefaultAzureCredential per managed-identity client id, created on first use. */
export function azureCredential(managedIdentityClientId?: string): TokenCredential {
  const key = managedIdentityClientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    credential = new DefaultAzureCredential(managedIdentityClientId ? { managedIdentityClientId } : {});
    credentials.set(key, credential);
  }
  return credential;
}
