// A tiny router on the History API (react-router's current majors need Node 22). The URL is the
// state: path picks the page, the query string holds time range and filters (shareable links).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export interface RouterLocation {
  path: string;
  search: string;
}

export interface Router {
  location: RouterLocation;
  navigate: (to: string, opts?: { replace?: boolean }) => void;
}

import { preloadPath } from './page-chunks.js';

export { matchPath } from './match-path.js';

const RouterContext = createContext<Router | undefined>(undefined);

function readLocation(): RouterLocation {
  return { path: window.location.pathname, search: window.location.search };
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState<RouterLocation>(readLocation);
  useEffect(() => {
    const onPop = () => setLocation(readLocation());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string, opts: { replace?: boolean } = {}) => {
    if (opts.replace === true) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setLocation(readLocation());
  }, []);
  const value = useMemo(() => ({ location, navigate }), [location, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): Router {
  const r = useContext(RouterContext);
  if (r === undefined) throw new Error('useRouter outside <RouterProvider>');
  return r;
}

/** Query-string state: read one key, and patch several (undefined/'' removes a key). */
export function useQueryState(): [URLSearchParams, (patch: Record<string, string | undefined>, opts?: { replace?: boolean }) => void] {
  const { location, navigate } = useRouter();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const set = useCallback(
    (patch: Record<string, string | undefined>, opts: { replace?: boolean } = {}) => {
      const next = new URLSearchParams(location.search);
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      const s = next.toString();
      navigate(`${location.path}${s === '' ? '' : `?${s}`}`, opts);
    },
    [location, navigate],
  );
  return [params, set];
}

/**
 * Builds an href that keeps the shared query keys (time range, refresh) of the current URL, so a
 * link between pages keeps the range the user picked.
 */
export function hrefKeeping(current: string, to: string, keep: readonly string[] = ['range', 'from', 'to', 'refresh']): string {
  const [path, own = ''] = to.split('?');
  const cur = new URLSearchParams(current);
  const next = new URLSearchParams(own);
  for (const k of keep) {
    const v = cur.get(k);
    if (v !== null && !next.has(k)) next.set(k, v);
  }
  const s = next.toString();
  return `${path ?? ''}${s === '' ? '' : `?${s}`}`;
}

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
  /** Keep the current time range/refresh in the target URL (default true). */
  keepRange?: boolean;
}

export function Link({ to, keepRange = true, onClick, onMouseEnter, onFocus, children, ...rest }: LinkProps) {
  const { location, navigate } = useRouter();
  const href = keepRange ? hrefKeeping(location.search, to) : to;
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  // the target page's chunk starts loading when the pointer or focus is on the link, before the click
  return (
    <a
      href={href}
      onClick={handle}
      onMouseEnter={(e) => {
        onMouseEnter?.(e);
        preloadPath(href);
      }}
      onFocus={(e) => {
        onFocus?.(e);
        preloadPath(href);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
