import { useEffect, useState, type ReactNode } from 'react';
import { useRefresh } from '../api/RefreshProvider.js';
import { formatClock } from '../lib/format.js';
import { DEFAULT_RANGE, invalidRangeText, RANGE_PRESETS } from '../lib/time-range.js';
import { REFRESH_CHOICES, refreshId } from '../lib/refresh-interval.js';
import { ApiKeyControl } from './ApiKeyControl.js';
import { preloadPath } from './page-chunks.js';
import { Link, useQueryState, useRouter } from './router.js';
import { ThemeToggle } from './ThemeToggle.js';
import { TimeRangePicker } from './TimeRangePicker.js';

export const NAV = [
  { to: '/', label: 'Fleet', match: (p: string) => p === '/' || p.startsWith('/hosts') },
  { to: '/slos', label: 'SLOs', match: (p: string) => p.startsWith('/slos') },
  { to: '/alerts', label: 'Alerts', match: (p: string) => p.startsWith('/alerts') },
  { to: '/ooms', label: 'OOM explorer', match: (p: string) => p.startsWith('/ooms') },
  { to: '/slowdowns', label: 'Slowdowns', match: (p: string) => p.startsWith('/slowdowns') },
  { to: '/capacity', label: 'Capacity', match: (p: string) => p.startsWith('/capacity') },
  { to: '/starts', label: 'Starts', match: (p: string) => p.startsWith('/starts') },
  { to: '/cost', label: 'Cost', match: (p: string) => p.startsWith('/cost') },
  { to: '/versions', label: 'Versions', match: (p: string) => p.startsWith('/versions') },
  { to: '/campaigns', label: 'Campaigns', match: (p: string) => p.startsWith('/campaigns') },
] as const;

function RefreshControl() {
  const [, setParams] = useQueryState();
  const { intervalMs, lastUpdated, refreshNow } = useRefresh();
  const [, setNow] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setNow((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <span className="control refresh">
      <label>
        <span className="sr-only">Auto-refresh</span>
        <select
          value={refreshId(intervalMs)}
          onChange={(e) => setParams({ refresh: e.target.value }, { replace: true })}
          data-testid="refresh-interval"
          title="auto-refresh interval"
        >
          {REFRESH_CHOICES.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id === 'off' ? 'auto-refresh off' : `every ${c.id}`}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={refreshNow} title="refresh now" aria-label="refresh now">
        ⟳
      </button>
      <span className="muted small" data-testid="last-updated" title="time of the last successful load">
        {lastUpdated === undefined ? 'not loaded yet' : `updated ${formatClock(lastUpdated)}`}
      </span>
    </span>
  );
}

/** A time range in the URL that is not one says so (instead of silently showing another range). */
function RangeNotice() {
  const [params, setParams] = useQueryState();
  const bad = invalidRangeText(params);
  if (bad === undefined) return null;
  const label = RANGE_PRESETS.find((p) => p.id === DEFAULT_RANGE)?.label ?? DEFAULT_RANGE;
  return (
    <div className="state state-error" role="alert" data-testid="range-invalid">
      The link's {bad}; showing the {label.toLowerCase()} instead.{' '}
      <button type="button" onClick={() => setParams({ from: undefined, to: undefined, range: DEFAULT_RANGE }, { replace: true })}>
        Use the {label.toLowerCase()}
      </button>
    </div>
  );
}

/**
 * The other nav pages' chunks load when the browser is idle, from 5 s after the app started (not
 * before: on a busy machine they would compete with the opened page's own chunk and answers).
 */
function usePreloadNavWhenIdle(): void {
  useEffect(() => {
    let idle: number | undefined;
    const run = () => {
      for (const n of NAV) preloadPath(n.to);
    };
    const t = setTimeout(() => {
      if (typeof window.requestIdleCallback === 'function') idle = window.requestIdleCallback(run, { timeout: 10_000 });
      else run();
    }, 5000);
    return () => {
      clearTimeout(t);
      if (idle !== undefined) window.cancelIdleCallback(idle);
    };
  }, []);
}

export function Layout({ apiKey, onApiKey, children }: { apiKey: string | undefined; onApiKey: (k: string) => void; children: ReactNode }) {
  const { location } = useRouter();
  usePreloadNavWhenIdle();
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          renderwatch
        </Link>
        <nav aria-label="pages">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={n.match(location.path) ? 'active' : undefined} aria-current={n.match(location.path) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="controls">
          <TimeRangePicker />
          <RefreshControl />
          <ApiKeyControl apiKey={apiKey} onApiKey={onApiKey} />
          <ThemeToggle />
        </div>
      </header>
      <main>
        <RangeNotice />
        {children}
      </main>
    </div>
  );
}
