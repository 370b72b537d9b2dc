/** Where RollWorks tokens and the client secret live: Key Vault in Azure, encrypted Table Storage locally. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Secret name of the RollWorks OAuth client secret. */
export const CLIENT_SECRET_NAME = 'rollworks-client-secret';
