import type { Alert } from '@renderwatch/schema';
import { useState } from 'react';
import { useApiClient } from '../../api/ApiProvider.js';
import type { ApiFailure } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { formatAgo, formatNumber } from '../../lib/format.js';
import { alertLinks } from './alert-links.js';
import { ackAlert } from './api.js';

const STATE_TONE = { firing: 'bad', pending: 'warn', resolved: 'ok' } as const;

export function AlertRow({ alert, now, onChanged }: { alert: Alert; now: number; onChanged: () => void }) {
  const client = useApiClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>(undefined);
  const ack = async () => {
    setBusy(true);
    const r = await ackAlert(client, alert.fingerprint);
    setBusy(false);
    if (r.ok) {
      setError(undefined);
      onChanged();
    } else setError(r.error);
  };
  const since = alert.state === 'resolved' ? alert.resolved_at : (alert.fired_at ?? alert.active_at);
  return (
    <tr data-testid="alert-row" data-fingerprint={alert.fingerprint} data-state={alert.state} data-rule={alert.rule}>
      <td>
        <span className={`badge badge-${STATE_TONE[alert.state]}`}>{alert.state}</span>
      </td>
      <td>
        <strong>{alert.alertname}</strong> <span className="muted small">{alert.severity}</span>
        <div className="small">{alert.annotations['summary'] ?? alert.annotations['description'] ?? ''}</div>
      </td>
      <td title="measured value at the last evaluation">{formatNumber(alert.value, 2)}</td>
      <td title={since ?? ''}>{since === null ? '—' : formatAgo(since, now)}</td>
      <td>
        {alertLinks(alert).map((l) => (
          <Link key={l.to} to={l.to} className="chiplink">
            {l.label}
          </Link>
        ))}
      </td>
      <td>
        {alert.acknowledged_by !== null ? (
          <span className="small" data-testid="acked" title={alert.acknowledged_at ?? ''}>
            acked by {alert.acknowledged_by}
          </span>
        ) : alert.state === 'resolved' ? null : (
          <button type="button" onClick={() => void ack()} disabled={busy} data-testid="ack-button" title="acknowledge (operator role)">
            {busy ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        )}
        {error === undefined ? null : (
          <div className="state-error small" role="alert" data-testid="ack-error">
            <code>{error.code}</code> {error.message}
          </div>
        )}
      </td>
    </tr>
  );
}
