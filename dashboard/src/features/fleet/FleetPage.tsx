import type { ApiFailure } from '../../api/client.js';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchFiringAlerts, fetchFleet, fetchFleetSummary, fetchSloList, fetchUtilization } from './api.js';
import { FleetTiles, type OptionalFigure } from './FleetTiles.js';
import { HostTable } from './HostTable.js';
import { summarizeFleet } from './transform.js';
import { formatNumber } from '../../lib/format.js';
import { UtilizationSection } from './UtilizationSection.js';

/** A tile figure from a secondary endpoint: its value, its error code, or loading. */
function figure<T>(
  q: { data: T | undefined; error: ApiFailure | undefined },
  pick: (d: T) => { value: string; tone?: OptionalFigure['tone'] },
  href: string,
  pending: string,
): OptionalFigure {
  if (q.data !== undefined) return { ...pick(q.data), href, pending };
  if (q.error !== undefined) return { value: q.error.code, tone: 'bad', href, pending };
  return { value: undefined, href, pending };
}

export function FleetPage({ chartWidth }: { chartWidth?: number }) {
  const { range, key } = useTimeRange();
  const fleet = usePolledQuery('fleet', fetchFleet);
  // The host table is what the page is for: the other panels ask once the fleet has answered, so on
  // a busy collector they do not compete with it for the first paint.
  const after = { enabled: fleet.data !== undefined || fleet.error !== undefined };
  const util = usePolledQuery(`util:${key}`, (c) => fetchUtilization(c, range), after);
  const summary = usePolledQuery(`summary:${key}`, (c) => fetchFleetSummary(c, range), after);
  const slos = usePolledQuery('slos', fetchSloList, after);
  const firing = usePolledQuery('alerts:firing', fetchFiringAlerts, after);
  const hosts = fleet.data?.hosts;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Fleet</h1>
        <span className="host-count" data-testid="host-count">
          {hosts === undefined ? '…' : `${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}`}
        </span>
      </header>
      <QueryView
        q={fleet}
        what="fleet"
        isEmpty={(d) => d.hosts.length === 0}
        empty="No hosts have reported yet. Start an agent (or `npm run demo`) and hosts appear here within seconds."
      >
        {(d) => {
          const now = Date.parse(d.generated_at);
          return (
            <>
              <FleetTiles
                summary={summarizeFleet(d.hosts)}
                silentAfterS={d.silent_after_s}
                imagesPerMin={figure(summary, (s) => ({ value: formatNumber(s.images_per_min, 1) }), '/slowdowns', '/api/v1/fleet/summary')}
                ooms={figure(summary, (s) => ({ value: String(s.ooms), tone: s.ooms > 0 ? 'warn' : 'ok' }), '/ooms', '/api/v1/fleet/summary')}
                slosAtRisk={figure(
                  slos,
                  (l) => {
                    const n = l.slos.filter((s) => s.status === 'page' || s.status === 'ticket' || s.status === 'breached').length;
                    return { value: `${n} / ${l.slos.length}`, tone: n > 0 ? 'bad' : 'ok' };
                  },
                  '/slos',
                  '/api/v1/slos',
                )}
                firingAlerts={figure(
                  firing,
                  (l) => ({ value: String(l.alerts.length), tone: l.alerts.length > 0 ? 'bad' : 'ok' }),
                  '/alerts?state=firing',
                  '/api/v1/alerts',
                )}
              />
              <UtilizationSection data={util.data} loading={util.loading} chartWidth={chartWidth} />
              <HostTable hosts={d.hosts} silentAfterS={d.silent_after_s} now={now} />
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
