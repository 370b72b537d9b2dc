import type { ContainerClient } from '@azure/storage-blob';

/** Creates the container on first call; later calls share that promise, and a failure lets the next try again. */
export function ensureContainerOnce(container: () => ContainerClient): () => Promise<unknown> {
  let ensured: Promise<unknown> | undefined;
  return () =>
    (ensured ??= container()
      .createIfNotExists()
      .catch((error: unknown) => {
        ensured = undefined;
        throw error;
      }));
}
