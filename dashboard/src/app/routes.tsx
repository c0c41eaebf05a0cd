// Path → page table. Unknown paths get a not-found page with a way back. Each feature page is its
// own chunk (React.lazy over app/page-chunks.ts): a page parses only its own code, not the other
// eleven pages' (the host page's first paint on a starved CPU was mostly parsing code it did not need).
import { lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { EmptyState } from '../lib/QueryView.js';
import { loadedPage, loadPage, type PageName } from './page-chunks.js';
import { Link, matchPath } from './router.js';

/**
 * A page component: rendered straight away when its chunk has already arrived (the entry starts it
 * before React loads) — React.lazy would suspend once even then, and React holds a revealed Suspense
 * boundary back for a moment — and through React.lazy when it has not. Chosen once per mount.
 */
function page<N extends PageName, P extends object>(name: N, pick: (m: NonNullable<ReturnType<typeof loadedPage<N>>>) => ComponentType<P>) {
  const Lazy = lazy(() => loadPage(name).then((m) => ({ default: pick(m as NonNullable<ReturnType<typeof loadedPage<N>>>) })));
  return function Page(props: P) {
    const [Direct] = useState(() => {
      const m = loadedPage(name);
      return m === undefined ? undefined : pick(m);
    });
    return Direct === undefined ? <Lazy {...props} /> : <Direct {...props} />;
  };
}

const AlertsPage = page('alerts', (m) => m.AlertsPage);
const CampaignDetailPage = page('campaign', (m) => m.CampaignDetailPage);
const CampaignsPage = page('campaigns', (m) => m.CampaignsPage);
const CapacityPage = page('capacity', (m) => m.CapacityPage);
const CostPage = page('cost', (m) => m.CostPage);
const FleetPage = page('fleet', (m) => m.FleetPage);
const HostDetailPage = page('host', (m) => m.HostDetailPage);
const OomPage = page('ooms', (m) => m.OomPage);
const SloDetailPage = page('slo', (m) => m.SloDetailPage);
const SloListPage = page('slos', (m) => m.SloListPage);
const SlowdownsPage = page('slowdowns', (m) => m.SlowdownsPage);
const StartsPage = page('starts', (m) => m.StartsPage);
const VersionsPage = page('versions', (m) => m.VersionsPage);

const ROUTES: { pattern: string; render: (p: Record<string, string>) => ReactNode }[] = [
  { pattern: '/', render: () => <FleetPage /> },
  { pattern: '/hosts/:host', render: (p) => <HostDetailPage host={p['host'] ?? ''} /> },
  { pattern: '/slos', render: () => <SloListPage /> },
  { pattern: '/slos/:name', render: (p) => <SloDetailPage name={p['name'] ?? ''} /> },
  { pattern: '/alerts', render: () => <AlertsPage /> },
  { pattern: '/ooms', render: () => <OomPage /> },
  { pattern: '/slowdowns', render: () => <SlowdownsPage /> },
  { pattern: '/capacity', render: () => <CapacityPage /> },
  { pattern: '/starts', render: () => <StartsPage /> },
  { pattern: '/cost', render: () => <CostPage /> },
  { pattern: '/versions', render: () => <VersionsPage /> },
  { pattern: '/campaigns', render: () => <CampaignsPage /> },
  { pattern: '/campaigns/:id', render: (p) => <CampaignDetailPage id={p['id'] ?? ''} /> },
];

export function renderRoute(path: string): ReactNode {
  for (const r of ROUTES) {
    const params = matchPath(r.pattern, path);
    if (params !== undefined)
      return (
        <Suspense
          fallback={
            <div className="page" role="status">
              Loading…
            </div>
          }
        >
          {r.render(params)}
        </Suspense>
      );
  }
  return (
    <div className="page">
      <h1>Not found</h1>
      <EmptyState>
        No page at <code>{path}</code>. <Link to="/">Back to the fleet</Link>.
      </EmptyState>
    </div>
  );
}
