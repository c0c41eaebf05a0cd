import type { SloPoint } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link } from '../../app/router.js';
import { LazyTimeSeriesChart as TimeSeriesChart } from '../../charts/LazyTimeSeriesChart.js';
import type { SeriesPoint } from '../../charts/TimeSeriesChart.js';
import { Tile } from '../../lib/Explain.js';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchActiveAlerts, fetchSloDetail } from './api.js';
import { BurnWindows } from './BurnWindows.js';
import { objectiveText, STATUS_TEXT, STATUS_TONE } from './slo-view.js';

function toSeries(points: SloPoint[]): SeriesPoint[] {
  return points.map((p) => ({
    t: Date.parse(p.t),
    budget: p.error_budget_remaining,
    sli: p.sli,
    b5m: p.burn_rate_5m,
    b1h: p.burn_rate_1h,
    b6h: p.burn_rate_6h,
    b3d: p.burn_rate_3d,
  }));
}

export function SloDetailPage({ name, chartWidth }: { name: string; chartWidth?: number }) {
  const { range, key } = useTimeRange();
  const q = usePolledQuery(`slo:${name}:${key}`, (c) => fetchSloDetail(c, name, range));
  const alerts = usePolledQuery('alerts:active', fetchActiveAlerts);
  return (
    <div className="page">
      <header className="page-header">
        <h1>
          <Link to="/slos">SLOs</Link> / {q.data?.slo.display_name ?? name}
        </h1>
      </header>
      <QueryView
        q={q}
        what="SLO"
        notFound={
          <>
            No SLO named <code>{name}</code> in the collector's SLO file. <Link to="/slos">All SLOs</Link>.
          </>
        }
      >
        {(d) => {
          const s = d.slo;
          const series = toSeries(d.points);
          const mine = (alerts.data?.alerts ?? []).filter((a) => a.source === 'slo' && a.rule === s.name);
          return (
            <>
              <p className="muted">{s.description}</p>
              <div className="tiles">
                <Tile
                  label="SLI"
                  value={formatPercent(s.sli, 2)}
                  explain={`good ÷ valid events over ${formatDuration(s.window_s)}: ${s.good} of ${s.valid}`}
                  testId="slo-detail-sli"
                />
                <Tile label="Target" value={objectiveText(s)} explain="the objective from the SLO file" />
                <Tile
                  label="Error budget left"
                  value={formatPercent(s.error_budget_remaining)}
                  tone={s.error_budget_remaining !== null && s.error_budget_remaining <= 0 ? 'bad' : 'ok'}
                  explain="1 − bad ÷ (allowed bad) over the SLO window; negative means over budget"
                  testId="slo-detail-budget"
                />
                <Tile
                  label="Status"
                  value={STATUS_TEXT[s.status]}
                  tone={STATUS_TONE[s.status]}
                  explain={`page: 14.4× over 1h and 5m, or 6× over 6h and 30m; ticket: 1× over 3d and 6h; needs ≥ ${s.min_events} events`}
                />
                <Tile
                  label="Period burn rate"
                  value={s.period_burn_rate === null ? '—' : `${formatNumber(s.period_burn_rate, 2)}×`}
                  explain="burn rate over the whole SLO window"
                />
              </div>
              <section className="panel">
                <h2>Burn rate per alert window</h2>
                <BurnWindows windows={s.windows} />
              </section>
              <TimeSeriesChart
                title="Error budget remaining over time"
                explain="each point is one stored evaluation of the SLO"
                data={series}
                series={[{ key: 'budget', label: 'budget left', color: 'var(--c1)' }]}
                unit="percent"
                thresholds={[{ value: 0, label: 'exhausted', color: 'var(--bad)' }]}
                emptyText="No evaluations stored in this range yet."
                width={chartWidth}
                testId="slo-budget-chart"
              />
              <TimeSeriesChart
                title="Burn rate over time"
                data={series}
                series={[
                  { key: 'b5m', label: '5m', color: 'var(--c3)' },
                  { key: 'b1h', label: '1h', color: 'var(--c1)' },
                  { key: 'b6h', label: '6h', color: 'var(--c2)' },
                  { key: 'b3d', label: '3d', color: 'var(--c4)' },
                ]}
                unit="ratio_x"
                thresholds={[
                  { value: 14.4, label: 'page 14.4×', color: 'var(--bad)' },
                  { value: 6, label: 'page 6×', color: 'var(--warn)' },
                  { value: 1, label: 'ticket 1×', color: 'var(--muted)' },
                ]}
                emptyText="No evaluations stored in this range yet."
                width={chartWidth}
              />
              <section className="panel">
                <h2>Active alerts of this SLO</h2>
                {mine.length === 0 ? (
                  <p className="muted">None.</p>
                ) : (
                  <ul>
                    {mine.map((a) => (
                      <li key={a.fingerprint}>
                        <Link to={`/alerts?state=active&rule=${encodeURIComponent(s.name)}`}>
                          {a.alertname} ({a.severity}) — {a.state}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
