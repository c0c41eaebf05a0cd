// Path → page table. Unknown paths get a not-found page with a way back. Each feature page is its
// own chunk (React.lazy over app/page-chunks.ts): a page parses only its own code, not the other
// eleven pages' (the host page's first paint on a starved CPU was mostly parsing code it did not need).
import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { EmptyState } from '../lib/QueryView.js';
import { loadPage } from './page-chunks.js';
import { Link, matchPath } from './router.js';

function page<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(() => load().then((c) => ({ default: c })));
}

const AlertsPage = page(() => loadPage('alerts').then((m) => m.AlertsPage));
const CampaignDetailPage = page(() => loadPage('campaign').then((m) => m.CampaignDetailPage));
const CampaignsPage = page(() => loadPage('campaigns').then((m) => m.CampaignsPage));
const CapacityPage = page(() => loadPage('capacity').then((m) => m.CapacityPage));
const CostPage = page(() => loadPage('cost').then((m) => m.CostPage));
const FleetPage = page(() => loadPage('fleet').then((m) => m.FleetPage));
const HostDetailPage = page(() => loadPage('host').then((m) => m.HostDetailPage));
const OomPage = page(() => loadPage('ooms').then((m) => m.OomPage));
const SloDetailPage = page(() => loadPage('slo').then((m) => m.SloDetailPage));
const SloListPage = page(() => loadPage('slos').then((m) => m.SloListPage));
const SlowdownsPage = page(() => loadPage('slowdowns').then((m) => m.SlowdownsPage));
const StartsPage = page(() => loadPage('starts').then((m) => m.StartsPage));
const VersionsPage = page(() => loadPage('versions').then((m) => m.VersionsPage));

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
