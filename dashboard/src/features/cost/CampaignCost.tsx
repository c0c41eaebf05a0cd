// Cost page, by campaign: each campaign's share of the range's GPU-hours, energy and money, and
// money per image, from GET /api/v1/cost?by=campaign (docs/api.md "Cost per campaign"). Loads
// after the page's main answer, as the page's other secondary panels do.
import { CostResponseSchema, type CostCampaign } from '@renderwatch/schema';
import type { ApiClient, ApiResult } from '../../api/client.js';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatNumber } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { rangeQuery, type TimeRange } from '../../lib/time-range.js';
import { useTimeRange } from '../../lib/useTimeRange.js';

export async function fetchCampaignCost(c: ApiClient, range: TimeRange, host?: string): Promise<ApiResult<CostCampaign[]>> {
  const r = await c.get('/api/v1/cost', CostResponseSchema, { ...rangeQuery(range), host, by: 'campaign' });
  return r.ok ? { ok: true, data: r.data.campaigns ?? [] } : r;
}

/** Dollars as the rest of the Cost page shows them; sub-cent amounts keep a third digit. */
function usd(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return v >= 100 ? `$${formatNumber(v, 0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(3)}`;
}

/** Money per image: cents need more digits than whole dollars to tell campaigns apart. */
function perImage(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`;
}

export function campaignCostName(c: CostCampaign): string {
  return c.label ?? `${c.runtime === '' ? 'campaign' : c.runtime} ${c.id.slice(0, 10)}`;
}

export function CampaignCost({ enabled = true }: { enabled?: boolean }) {
  const { range, key } = useTimeRange();
  const q = usePolledQuery(`cost-campaigns:${key}`, (c) => fetchCampaignCost(c, range), { live: false, enabled });
  return (
    <section className="panel" aria-label="cost by campaign">
      <h2>
        By campaign{' '}
        <Explain text="Each GPU sample's time and energy is shared among the jobs running on that GPU during it (in proportion to their overlap, never more than the sample); a campaign gets its jobs' shares, priced at its GPUs' price per GPU-hour. Jobs and images: the campaign's jobs that ended in the range." />
      </h2>
      <QueryView q={q} what="cost by campaign" isEmpty={(d) => d.length === 0} empty="No campaign ran in this range.">
        {(d) => (
          <table className="data" data-testid="cost-campaign-table">
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Jobs</th>
                <th>Images</th>
                <th>GPU-hours</th>
                <th>kWh</th>
                <th>Cost</th>
                <th>Per image</th>
              </tr>
            </thead>
            <tbody>
              {d.map((c) => (
                <tr key={c.id} data-testid="cost-campaign-row" data-campaign={c.id}>
                  <td>
                    <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{campaignCostName(c)}</Link>
                    {c.unattributed_jobs > 0 ? (
                      <span className="muted small" title="jobs without a GPU index on a host with several GPUs: no GPU time counted for them">
                        {' '}
                        ({formatNumber(c.unattributed_jobs)} {c.unattributed_jobs === 1 ? 'job' : 'jobs'} without a GPU)
                      </span>
                    ) : null}
                  </td>
                  <td>{formatNumber(c.jobs)}</td>
                  <td>{formatNumber(c.images)}</td>
                  <td>{formatNumber(c.gpu_hours, 2)}</td>
                  <td>{c.energy_kwh === null ? '—' : formatNumber(c.energy_kwh, 2)}</td>
                  <td data-testid="cost-campaign-cost">
                    {usd(c.cost)}
                    {c.unpriced_gpu_hours > 0 ? <span className="muted small"> (+{formatNumber(c.unpriced_gpu_hours, 1)} unpriced GPU-h)</span> : null}
                  </td>
                  <td data-testid="cost-campaign-per-image">{perImage(c.cost_per_image)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
