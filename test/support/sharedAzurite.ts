import { startAzurite, type AzuriteInstance } from '../../dev/azurite';

/** Name of the variable through which globalSetup hands its Azurite to the test workers. */
export const SHARED_STORAGE_VARIABLE = 'TEST_SHARED_STORAGE_CONNECTION_STRING';

/**
 * The Azurite started once by jest's globalSetup, for tests that only need uniquely named
 * containers/queues/tables. Tests that count or list everything start their own (startAzurite()).
 * Falls back to a private Azurite when the variable is absent (e.g. a single test run by an IDE).
 */
export async function sharedStorage(): Promise<{ connectionString: string; stop(): Promise<void> }> {
  const shared = process.env[SHARED_STORAGE_VARIABLE];
  if (shared) return { connectionString: shared, stop: async () => undefined };
  const own: AzuriteInstance = await startAzurite();
  return { connectionString: own.connectionString, stop: () => own.stop() };
}
