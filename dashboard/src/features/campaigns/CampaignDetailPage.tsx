// One campaign: its progress, rate and ETA, and every interruption with what followed it.
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link } from '../../app/router.js';
import { Tile } from '../../lib/Explain.js';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.js';
import { EmptyState, QueryView } from '../../lib/QueryView.js';
import { useDefaultRange } from '../../lib/useDefaultRange.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchCampaign } from './api.js';
import { CampaignCostPanel } from './CampaignCostPanel.js';
import { campaignName, Progress } from './CampaignsPage.js';

const KIND_TEXT: Record<string, string> = {
  runtime_restart: 'runtime restarted',
  host_silent: 'host went silent',
  agent_restart: 'agent restarted',
  preemption: 'preempted',
};

export function CampaignDetailPage({ id }: { id: string }) {
  useDefaultRange('7d');
  const { range, key } = useTimeRange();
  const q = usePolledQuery(`campaign:${id}:${key}`, (c) => fetchCampaign(c, id, range));
  return (
    <div className="page">
      <header className="page-header">
        <h1>
          <Link to="/campaigns">Campaigns</Link> / <span data-testid="campaign-title">{q.data === undefined ? id : campaignName(q.data)}</span>
        </h1>
      </header>
      <QueryView
        q={q}
        what="campaign"
        notFound={
          <>
            No campaign <code>{id}</code> in this range. Pick a longer range, or go back to <Link to="/campaigns">all campaigns</Link>.
          </>
        }
      >
        {(c) => (
          <>
            <div className="tiles">
              <Tile label="Progress" value={<Progress c={c} />} explain="distinct jobs done ok of the planned jobs (a redone job counts once)" />
              <Tile label="Images" value={formatNumber(c.images)} explain={`planned: ${c.planned_images ?? 'unknown'}`} />
              <Tile label="Images/min" value={formatNumber(c.images_per_min, 1)} explain="images ÷ active minutes" />
              <Tile
                label="ETA"
                value={c.eta === null ? '—' : new Date(c.eta).toISOString().slice(0, 16).replace('T', ' ')}
                explain={c.remaining_s === null ? 'finished, or nothing planned' : `${formatDuration(c.remaining_s)} of work left at the current rate`}
              />
              <Tile
                label="Failed / redone"
                value={`${c.failed_jobs} / ${c.redone_jobs}`}
                explain="failed and never redone ok / done ok a second time"
                tone={c.failed_jobs > 0 ? 'warn' : 'ok'}
              />
              <Tile label="Cache hits" value={formatPercent(c.cache_hit_ratio)} explain="nodes served from the runtime's cache ÷ nodes of the graphs" />
            </div>
            <p className="small muted">
              {c.runtime} · {c.source.replace('_', ' ')} · hosts {c.hosts.join(', ')} · {c.first_at.slice(0, 16).replace('T', ' ')} →{' '}
              {c.last_at.slice(0, 16).replace('T', ' ')} UTC · status {c.status}
            </p>
            <CampaignCostPanel cost={c.cost} />
            <section className="panel">
              <h2>Interruptions</h2>
              {c.interruption_list.length === 0 ? (
                <EmptyState>No interruption: the campaign ran in one go.</EmptyState>
              ) : (
                <table className="data" data-testid="interruption-table">
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>What</th>
                      <th>Host</th>
                      <th>Time lost</th>
                      <th>Jobs lost</th>
                      <th>Resumed / redone</th>
                      <th>Images missing</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.interruption_list.map((i) => (
                      <tr key={`${i.at}|${i.kind}`} data-testid="interruption-row">
                        <td>{i.at.slice(0, 16).replace('T', ' ')} UTC</td>
                        <td>
                          {KIND_TEXT[i.kind] ?? i.kind}
                          {i.training_resume === null
                            ? null
                            : ` · ${i.training_resume === 'checkpoint' ? `from checkpoint (epoch ${i.resumed_from_epoch ?? '?'})` : 'from epoch 0'}`}
                        </td>
                        <td>{i.host}</td>
                        <td>{formatDuration(i.time_lost_s)}</td>
                        <td>{i.jobs_lost}</td>
                        <td data-testid="interruption-after">
                          {i.jobs_resumed} resumed / {i.jobs_redone} redone
                        </td>
                        <td>{i.images_missing === null ? '—' : i.images_missing}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
