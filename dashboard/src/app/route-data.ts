// What each page asks the collector for first, computed from the URL alone — so the entry can start
// those requests (api/prefetch.ts) and the page's chunk (app/page-chunks.ts) before React renders.
// Each line must build the same request as the page's own api.ts does (route-data.test.tsx renders
// every page and checks it); a filter the entry cannot check without the schemas (an OOM cause, a
// campaign status) is left to the page: no prefetch then. Secondary panels (asked after the main
// answer) are not prefetched.
import { buildUrl, type QueryValue } from '../api/url.js';
import { parseTimeRange, rangeQuery } from '../lib/time-range.js';
import { matchPath } from './match-path.js';

interface Request {
  path: string;
  query?: Record<string, QueryValue>;
}

type Build = (p: Record<string, string>, q: URLSearchParams, now: number) => Request[];

const ALERT_STATES = ['active', 'firing', 'pending', 'resolved', 'all'];
const BASELINE_DAYS = ['1', '7', '14', '30'];
const enc = encodeURIComponent;

/** The URL's window; pages about rare events open on `fallback` when the URL names none (useDefaultRange). */
function windowOf(q: URLSearchParams, now: number, fallback?: string): { from: string; to: string } {
  const p = new URLSearchParams(q);
  if (fallback !== undefined && !p.has('range') && !p.has('from') && !p.has('to')) p.set('range', fallback);
  return rangeQuery(parseTimeRange(p), now);
}

const opt = (q: URLSearchParams, k: string): string | undefined => q.get(k) ?? undefined;

export const ROUTE_DATA: readonly { pattern: string; requests: Build }[] = [
  { pattern: '/', requests: () => [{ path: '/api/v1/fleet' }] },
  { pattern: '/hosts/:host', requests: (p, q, now) => [{ path: `/api/v1/hosts/${enc(p['host'] ?? '')}/series`, query: windowOf(q, now) }] },
  { pattern: '/slos', requests: () => [{ path: '/api/v1/slos' }, { path: '/api/v1/alerts', query: { state: 'active' } }] },
  {
    pattern: '/slos/:name',
    requests: (p, q, now) => [
      { path: `/api/v1/slos/${enc(p['name'] ?? '')}`, query: windowOf(q, now) },
      { path: '/api/v1/alerts', query: { state: 'active' } },
    ],
  },
  {
    pattern: '/alerts',
    requests: (_, q) => {
      const state = ALERT_STATES.find((s) => s === q.get('state')) ?? 'active';
      return [{ path: '/api/v1/alerts', query: { state: state === 'all' ? undefined : state, limit: 500 } }];
    },
  },
  {
    pattern: '/ooms',
    requests: (_, q, now) =>
      q.has('cause') ? [] : [{ path: '/api/v1/ooms', query: { ...windowOf(q, now), host: opt(q, 'host'), model: opt(q, 'model'), limit: 200 } }],
  },
  {
    pattern: '/slowdowns',
    requests: (_, q, now) => [
      { path: '/api/v1/slowdowns', query: { ...windowOf(q, now), baseline_days: BASELINE_DAYS.find((b) => b === q.get('baseline_days')) ?? '7' } },
    ],
  },
  {
    pattern: '/capacity',
    requests: (_, q, now) => [{ path: '/api/v1/capacity', query: { ...windowOf(q, now), model: opt(q, 'model'), runtime: opt(q, 'runtime') } }],
  },
  {
    pattern: '/starts',
    requests: (_, q, now) => [
      { path: '/api/v1/starts', query: { ...windowOf(q, now, '7d'), runtime: opt(q, 'runtime'), host: opt(q, 'host') } },
      { path: '/api/v1/slos' },
    ],
  },
  { pattern: '/cost', requests: (_, q, now) => [{ path: '/api/v1/cost', query: windowOf(q, now, '7d') }, { path: '/api/v1/fleet' }] },
  { pattern: '/versions', requests: (_, q, now) => [{ path: '/api/v1/versions', query: windowOf(q, now, '7d') }] },
  {
    pattern: '/campaigns',
    requests: (_, q, now) => (q.has('status') ? [] : [{ path: '/api/v1/campaigns', query: { ...windowOf(q, now, '7d'), host: opt(q, 'host') } }]),
  },
  { pattern: '/campaigns/:id', requests: (p, q, now) => [{ path: `/api/v1/campaigns/${enc(p['id'] ?? '')}`, query: windowOf(q, now, '7d') }] },
];

/** The URLs the page at `path` + `search` asks for first (none for an unknown path). */
export function routeRequests(base: string, path: string, search: string, now: number): string[] {
  const q = new URLSearchParams(search);
  for (const r of ROUTE_DATA) {
    const params = matchPath(r.pattern, path);
    if (params !== undefined) return r.requests(params, q, now).map((x) => buildUrl(base, x.path, x.query));
  }
  return [];
}
