import { useState } from 'preact/hooks';

/** Runs a button's action: `busy` meanwhile, and the error it ended with (cleared by the next run). */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, run };
}
