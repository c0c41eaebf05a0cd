// Path → page table. Unknown paths get a not-found page with a way back.
import type { ReactNode } from 'react';
import { AlertsPage } from '../features/alerts/AlertsPage.js';
import { CampaignDetailPage } from '../features/campaigns/CampaignDetailPage.js';
import { CampaignsPage } from '../features/campaigns/CampaignsPage.js';
import { CapacityPage } from '../features/capacity/CapacityPage.js';
import { CostPage } from '../features/cost/CostPage.js';
import { FleetPage } from '../features/fleet/FleetPage.js';
import { HostDetailPage } from '../features/host-detail/HostDetailPage.js';
import { OomPage } from '../features/ooms/OomPage.js';
import { SloDetailPage } from '../features/slos/SloDetailPage.js';
import { SloListPage } from '../features/slos/SloListPage.js';
import { SlowdownsPage } from '../features/slowdowns/SlowdownsPage.js';
import { StartsPage } from '../features/starts/StartsPage.js';
import { VersionsPage } from '../features/versions/VersionsPage.js';
import { EmptyState } from '../lib/QueryView.js';
import { Link, matchPath } from './router.js';

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
    if (params !== undefined) return r.render(params);
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
