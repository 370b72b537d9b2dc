import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  reload: () => Promise<void>;
}

/** Loads once per change of `key`; `pollMs(data)` > 0 reloads after that many milliseconds. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[], pollMs?: (data: T) => number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    try {
      setData(await latest.current());
      setError(undefined);
    } catch (failure) {
      setError(failure);
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
  }, key);
  const interval = data === undefined || !pollMs ? 0 : pollMs(data);
  useEffect(() => {
    if (interval <= 0) return;
    const timer = setTimeout(() => void reload(), interval);
    return () => clearTimeout(timer);
  }, [data, interval, reload]);
  return { data, error, reload };
}
