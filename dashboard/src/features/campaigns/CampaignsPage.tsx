// Campaigns: batches of jobs submitted as one piece of work — progress, rate, ETA, and each
// interruption with what followed it (resumed where it was, or work redone).
import { CAMPAIGN_STATUSES, type CampaignSummary } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useDefaultRange } from '../../lib/useDefaultRange.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchCampaigns } from './api.js';

export function campaignName(c: CampaignSummary): string {
  return c.label ?? `${c.runtime} ${c.source.replace('_', ' ')} ${c.id.slice(0, 10)}`;
}

export function Progress({ c }: { c: CampaignSummary }) {
  const ratio = c.completion_ratio;
  return (
    <span data-testid="campaign-progress" title={`${c.done_jobs} done, ${c.failed_jobs} failed, ${c.redone_jobs} redone of ${c.planned_jobs ?? '?'} planned`}>
      {formatNumber(c.done_jobs)} / {c.planned_jobs === null ? '?' : formatNumber(c.planned_jobs)} jobs
      {ratio === null ? null : <span className="muted small"> ({formatPercent(ratio)})</span>}
    </span>
  );
}

export function CampaignsPage() {
  useDefaultRange('7d');
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const status = CAMPAIGN_STATUSES.find((s) => s === params.get('status'));
  const host = params.get('host') ?? undefined;
  const q = usePolledQuery(`campaigns:${key}:${status ?? ''}:${host ?? ''}`, (c) => fetchCampaigns(c, range, { status, host }));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Campaigns</h1>
        <span className="muted">batches submitted as one piece of work: progress, images/min, ETA, interruptions and what each cost</span>
      </header>
      <div className="filters">
        <label>
          Status{' '}
          <select value={status ?? ''} onChange={(e) => setParams({ status: e.target.value })} data-testid="campaign-status-filter">
            <option value="">all</option>
            {CAMPAIGN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView q={q} what="campaigns" isEmpty={(d) => d.rows.length === 0} empty="No campaign ran in this range.">
        {(d) => (
          <table className="data" data-testid="campaign-table">
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Status</th>
                <th>Hosts</th>
                <th>Progress</th>
                <th>Images</th>
                <th>
                  Images/min <Explain text="images ÷ active minutes (first start to last end, minus time lost to interruptions)" />
                </th>
                <th>ETA</th>
                <th>
                  Interruptions{' '}
                  <Explain text="runtime restarts, silent hosts, agent restarts, preemptions while the campaign was open; resumed = it went on where it was" />
                </th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((c) => (
                <tr key={c.id} data-testid="campaign-row" data-campaign={c.label ?? c.id}>
                  <td>
                    <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{campaignName(c)}</Link>
                  </td>
                  <td>
                    <span
                      className={`badge ${c.status === 'finished' ? 'badge-ok' : c.status === 'stalled' ? 'badge-bad' : 'badge-warn'}`}
                      data-testid="campaign-status"
                    >
                      {c.status}
                    </span>
                  </td>
                  <td className="small">{c.hosts.join(', ')}</td>
                  <td>
                    <Progress c={c} />
                  </td>
                  <td>{formatNumber(c.images)}</td>
                  <td>{formatNumber(c.images_per_min, 1)}</td>
                  <td>{c.eta === null ? '—' : `${new Date(c.eta).toISOString().slice(11, 16)} UTC (${formatDuration(c.remaining_s)} left)`}</td>
                  <td data-testid="campaign-interruptions">
                    {c.interruptions === 0 ? 'none' : `${c.interruptions} · ${c.resumed === true ? 'resumed' : 'started over'}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}
