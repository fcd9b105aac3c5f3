import { useCallback, useRef, useState } from 'react';

export interface Action {
  pending: boolean;
  error: unknown;
  /** Runs `fn` unless a run is already pending; resolves with its result, or undefined if it failed (see `error`). */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
  clear(): void;
}

/** The state of one user action (a form submit, a button): pending, and the last error. Ignores double submits. */
export function useAction(): Action {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const busy = useRef(false);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    if (busy.current) return undefined;
    busy.current = true;
    setPending(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      busy.current = false;
      setPending(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { pending, error, run, clear };
}
