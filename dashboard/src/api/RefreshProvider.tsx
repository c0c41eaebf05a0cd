import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export interface RefreshState {
  /** Auto-refresh interval in ms; null when auto-refresh is off. */
  intervalMs: number | null;
  /** Epoch ms of the last successful load of any live query on the page. */
  lastUpdated: number | undefined;
  markUpdated: (at: number) => void;
  /** "Refresh now": every subscribed query reloads. */
  refreshNow: () => void;
  /** Registers a reload function; returns the unsubscribe. */
  subscribe: (reload: () => void) => () => void;
}

const RefreshContext = createContext<RefreshState>({
  intervalMs: null,
  lastUpdated: undefined,
  markUpdated: () => undefined,
  refreshNow: () => undefined,
  subscribe: () => () => undefined,
});

export function RefreshProvider({ intervalMs, children }: { intervalMs: number | null; children: ReactNode }) {
  const [lastUpdated, setLastUpdated] = useState<number | undefined>(undefined);
  const listeners = useRef(new Set<() => void>());
  const markUpdated = useCallback((at: number) => setLastUpdated(at), []);
  const refreshNow = useCallback(() => {
    for (const l of listeners.current) l();
  }, []);
  const subscribe = useCallback((reload: () => void) => {
    listeners.current.add(reload);
    return () => {
      listeners.current.delete(reload);
    };
  }, []);
  const value = useMemo(() => ({ intervalMs, lastUpdated, markUpdated, refreshNow, subscribe }), [intervalMs, lastUpdated, markUpdated, refreshNow, subscribe]);
  return <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>;
}

export function useRefresh(): RefreshState {
  return useContext(RefreshContext);
}
