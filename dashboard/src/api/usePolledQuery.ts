import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiClient } from './ApiProvider.js';
import type { ApiClient, ApiFailure, ApiResult } from './client.js';
import { useRefresh } from './RefreshProvider.js';

export interface QueryState<T> {
  /** Last good data for this key; kept while a refresh is in flight so the page never flickers. */
  data: T | undefined;
  /** Error of the latest attempt (cleared by the next success). */
  error: ApiFailure | undefined;
  /** True until the first answer (data or error) for the current key arrives. */
  loading: boolean;
  reload: () => void;
}

export interface QueryOptions {
  /** false: load once per key and on "refresh now", not on the auto-refresh timer. */
  live?: boolean;
  /** false: do not load yet (e.g. secondary panels wait for the page's main answer). */
  enabled?: boolean;
}

interface Stored<T> {
  key: string;
  data: T | undefined;
  error: ApiFailure | undefined;
  answered: boolean;
}

/**
 * Loads `load(client)` whenever `key` changes, then on every auto-refresh interval and on
 * "refresh now". Answers to superseded requests are dropped.
 */
export function usePolledQuery<T>(key: string, load: (c: ApiClient) => Promise<ApiResult<T>>, opts: QueryOptions = {}): QueryState<T> {
  const client = useApiClient();
  const { intervalMs, markUpdated, subscribe } = useRefresh();
  const live = opts.live ?? true;
  const enabled = opts.enabled ?? true;
  const [state, setState] = useState<Stored<T>>({ key, data: undefined, error: undefined, answered: false });
  const loadRef = useRef(load);
  const runRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    if (!enabled) return undefined;
    let cancelled = false;
    let seq = 0;
    const run = () => {
      const mine = ++seq;
      void loadRef.current(client).then((r) => {
        if (cancelled || mine !== seq) return;
        if (r.ok) markUpdated(Date.now());
        setState((prev) => ({
          key,
          data: r.ok ? r.data : prev.key === key ? prev.data : undefined,
          error: r.ok ? undefined : r.error,
          answered: true,
        }));
      });
    };
    runRef.current = run;
    run();
    const unsubscribe = subscribe(run);
    const timer = live && intervalMs !== null ? setInterval(run, intervalMs) : undefined;
    return () => {
      cancelled = true;
      unsubscribe();
      if (timer !== undefined) clearInterval(timer);
    };
  }, [client, key, intervalMs, live, enabled, markUpdated, subscribe]);

  const reload = useCallback(() => runRef.current(), []);
  const sameKey = state.key === key;
  return {
    data: sameKey ? state.data : undefined,
    error: sameKey ? state.error : undefined,
    loading: !sameKey || !state.answered,
    reload,
  };
}
