import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatPercent } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { fetchActiveAlerts, fetchSlos } from './api.js';
import { BudgetBar } from './BudgetBar.js';
import { BurnWindows } from './BurnWindows.js';
import { objectiveText, STATUS_TEXT, STATUS_TONE } from './slo-view.js';

export function SloListPage() {
  const slos = usePolledQuery('slos', fetchSlos);
  const alerts = usePolledQuery('alerts:active', fetchActiveAlerts);
  return (
    <div className="page">
      <header className="page-header">
        <h1>SLOs</h1>
        <span className="muted">current SLI over each SLO's own window, error budget and burn rate per alert window</span>
      </header>
      <QueryView q={slos} what="SLOs" isEmpty={(d) => d.slos.length === 0} empty="No SLOs are defined: add them to the collector's SLO file.">
        {(d) => (
          <table className="data" data-testid="slo-table">
            <thead>
              <tr>
                <th>SLO</th>
                <th>
                  SLI <Explain text="good ÷ valid events over the SLO window" />
                </th>
                <th>Target</th>
                <th>Error budget</th>
                <th>
                  Burn rate{' '}
                  <Explain text="error ratio ÷ allowed error ratio per window; 1× spends the budget exactly over the SLO window. Page at 14.4× (1h & 5m) or 6× (6h & 30m), ticket at 1× (3d & 6h)." />
                </th>
                <th>Status</th>
                <th>Alerts</th>
              </tr>
            </thead>
            <tbody>
              {d.slos.map((s) => {
                const mine = (alerts.data?.alerts ?? []).filter((a) => a.source === 'slo' && a.rule === s.name);
                return (
                  <tr key={s.name} data-testid="slo-row" data-slo={s.name}>
                    <td>
                      <Link to={`/slos/${encodeURIComponent(s.name)}`}>{s.display_name}</Link>
                      <div className="muted small">{s.description}</div>
                    </td>
                    <td data-testid="slo-sli" title={`${s.good} good of ${s.valid} valid`}>
                      {formatPercent(s.sli, 2)}
                    </td>
                    <td>{objectiveText(s)}</td>
                    <td>
                      <BudgetBar remaining={s.error_budget_remaining} />
                    </td>
                    <td>
                      <BurnWindows windows={s.windows} />
                    </td>
                    <td>
                      <span
                        className={`badge badge-${STATUS_TONE[s.status]}`}
                        data-testid="slo-status"
                        title={s.status === 'insufficient_data' ? `fewer than ${s.min_events} events: no burn-rate alert` : undefined}
                      >
                        {STATUS_TEXT[s.status]}
                      </span>
                    </td>
                    <td>
                      {mine.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <Link to={`/alerts?state=active&rule=${encodeURIComponent(s.name)}`}>
                          {mine.length} {mine[0]?.state ?? ''}
                        </Link>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}
