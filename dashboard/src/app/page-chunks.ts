// Each page's chunk, loaded once: by the route table (React.lazy), by the entry for the page being
// opened (so the chunk downloads while React starts), and ahead of a click (a link hovered or
// focused, and every nav page when the browser is idle after the first answer).
import { matchPath } from './match-path.js';

const LOADERS = {
  alerts: () => import('../features/alerts/AlertsPage.js'),
  campaign: () => import('../features/campaigns/CampaignDetailPage.js'),
  campaigns: () => import('../features/campaigns/CampaignsPage.js'),
  capacity: () => import('../features/capacity/CapacityPage.js'),
  cost: () => import('../features/cost/CostPage.js'),
  fleet: () => import('../features/fleet/FleetPage.js'),
  host: () => import('../features/host-detail/HostDetailPage.js'),
  ooms: () => import('../features/ooms/OomPage.js'),
  slo: () => import('../features/slos/SloDetailPage.js'),
  slos: () => import('../features/slos/SloListPage.js'),
  slowdowns: () => import('../features/slowdowns/SlowdownsPage.js'),
  starts: () => import('../features/starts/StartsPage.js'),
  versions: () => import('../features/versions/VersionsPage.js'),
};

export type PageName = keyof typeof LOADERS;

/** Path pattern → page (the route table in routes.tsx renders them). */
export const PAGE_OF_PATTERN: readonly (readonly [string, PageName])[] = [
  ['/', 'fleet'],
  ['/hosts/:host', 'host'],
  ['/slos', 'slos'],
  ['/slos/:name', 'slo'],
  ['/alerts', 'alerts'],
  ['/ooms', 'ooms'],
  ['/slowdowns', 'slowdowns'],
  ['/capacity', 'capacity'],
  ['/starts', 'starts'],
  ['/cost', 'cost'],
  ['/versions', 'versions'],
  ['/campaigns', 'campaigns'],
  ['/campaigns/:id', 'campaign'],
];

const loaded = new Map<PageName, Promise<unknown>>();
const modules = new Map<PageName, unknown>();

type PageModule<N extends PageName> = Awaited<ReturnType<(typeof LOADERS)[N]>>;

/** The page's module when its chunk has already arrived (the route then renders it without suspending). */
export function loadedPage<N extends PageName>(name: N): PageModule<N> | undefined {
  return modules.get(name) as PageModule<N> | undefined;
}

/** The page's module (loaded on the first call, the same promise after). */
export function loadPage<N extends PageName>(name: N): ReturnType<(typeof LOADERS)[N]> {
  let p = loaded.get(name);
  if (p === undefined) {
    p = LOADERS[name]();
    loaded.set(name, p);
    p.then((m) => modules.set(name, m)).catch(() => undefined);
    // a failed download is tried again next time
    p.catch(() => loaded.delete(name));
  }
  return p as ReturnType<(typeof LOADERS)[N]>;
}

/** Starts loading the chunk of the page at `href` (a path, with or without a query); unknown paths do nothing. */
export function preloadPath(href: string): void {
  const path = href.split(/[?#]/)[0] ?? '';
  const hit = PAGE_OF_PATTERN.find(([pattern]) => matchPath(pattern, path) !== undefined);
  // A failed load is reported by React.lazy when the page is opened, not here.
  if (hit !== undefined) loadPage(hit[1]).catch(() => undefined);
}
