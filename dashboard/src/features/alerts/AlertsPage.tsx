import { usePolledQuery } from '../../api/usePolledQuery.js';
import { useQueryState } from '../../app/router.js';
import { QueryView } from '../../lib/QueryView.js';
import { AlertRow } from './AlertRow.js';
import { fetchAlerts, STATE_FILTERS, type StateFilter } from './api.js';

export function AlertsPage() {
  const [params, setParams] = useQueryState();
  const state: StateFilter = STATE_FILTERS.find((s) => s === params.get('state')) ?? 'active';
  const rule = params.get('rule') ?? '';
  const q = usePolledQuery(`alerts:${state}`, (c) => fetchAlerts(c, state));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Alerts</h1>
        <div className="segmented" role="tablist" aria-label="alert state">
          {STATE_FILTERS.map((s) => (
            <button
              key={s}
              type="button"
              role="tab"
              aria-selected={s === state}
              className={s === state ? 'active' : undefined}
              onClick={() => setParams({ state: s })}
              data-testid={`alert-state-${s}`}
            >
              {s}
            </button>
          ))}
        </div>
        {rule === '' ? null : (
          <span className="badge">
            rule {rule}{' '}
            <button type="button" className="linklike" onClick={() => setParams({ rule: undefined })} aria-label="clear rule filter">
              ×
            </button>
          </span>
        )}
      </header>
      <QueryView
        q={q}
        what="alerts"
        isEmpty={(d) => d.alerts.filter((a) => rule === '' || a.rule === rule).length === 0}
        empty={state === 'active' || state === 'firing' ? 'Nothing is firing or pending. All quiet.' : `No ${state === 'all' ? '' : `${state} `}alerts.`}
      >
        {(d) => (
          <table className="data" data-testid="alert-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Alert</th>
                <th>Value</th>
                <th>Since</th>
                <th>Concerns</th>
                <th>Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {d.alerts
                .filter((a) => rule === '' || a.rule === rule)
                .map((a) => (
                  <AlertRow key={a.fingerprint} alert={a} now={Date.parse(d.generated_at)} onChanged={q.reload} />
                ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}
