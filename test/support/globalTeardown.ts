export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __sharedAzurite?: { stop(): Promise<void> } };
  await holder.__sharedAzurite?.stop();
  holder.__sharedAzurite = undefined;
}
