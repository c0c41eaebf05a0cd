// Cost: GPU-hours, energy and money over the range by GPU model, memory tier and host; cost per
// image; and what the same hours would cost on another tier (with the capacity planner's answer of
// how many jobs would fit there).
import type { CostResponse } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { BarList } from '../../charts/BarList.js';
import { Explain } from '../../lib/Explain.js';
import { formatNumber } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useDefaultRange } from '../../lib/useDefaultRange.js';
import { useIdleAfterPaint } from '../../lib/useIdleAfterPaint.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { CampaignCost } from './CampaignCost.js';
import { fetchCapacityFor, fetchCost, fetchCostByHost, fetchFleetGpus } from './api.js';
import { costByTier, moveEstimate, tiersByName, TIERS_GB } from './cost-model.js';

export function money(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 100 ? `$${formatNumber(v, 0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(3)}`;
}

function Totals({ d }: { d: CostResponse }) {
  const t = d.totals;
  const perImage = t.cost !== null && t.images > 0 ? t.cost / t.images : null;
  return (
    <div className="tiles" data-testid="cost-totals">
      <div className="tile">
        <div className="tile-value" data-testid="cost-total">
          {money(t.cost)}
        </div>
        <div className="tile-label">cost {t.unpriced_gpu_hours > 0 ? `(+${formatNumber(t.unpriced_gpu_hours, 1)} unpriced GPU-h)` : ''}</div>
      </div>
      <div className="tile">
        <div className="tile-value" data-testid="cost-gpu-hours">
          {formatNumber(t.gpu_hours, 1)}
        </div>
        <div className="tile-label">GPU-hours</div>
      </div>
      <div className="tile">
        <div className="tile-value" data-testid="cost-kwh">
          {t.energy_kwh === null ? '—' : formatNumber(t.energy_kwh, 1)}
        </div>
        <div className="tile-label">kWh (NVML energy counters)</div>
      </div>
      <div className="tile">
        <div className="tile-value" data-testid="cost-per-image">
          {money(perImage)}
        </div>
        <div className="tile-label">
          per image ({formatNumber(t.images)} images, {formatNumber(t.jobs)} jobs)
        </div>
      </div>
    </div>
  );
}

function ByHost({ hosts, rangeKey }: { hosts: string[]; rangeKey: string }) {
  const { range } = useTimeRange();
  // one request for every host (by=host): asked once the page's first frame is painted and the browser is idle
  const idle = useIdleAfterPaint();
  const q = usePolledQuery(`cost-hosts:${rangeKey}:${hosts.join(',')}`, (c) => fetchCostByHost(c, range, hosts), {
    live: false,
    enabled: hosts.length > 0 && idle,
  });
  return (
    <section className="panel">
      <h2>By host</h2>
      <QueryView q={q} what="cost by host" isEmpty={(d) => d.length === 0}>
        {(d) => (
          <BarList
            testId="cost-by-host"
            items={[...d]
              .sort((a, b) => (b.totals.cost ?? 0) - (a.totals.cost ?? 0))
              .map((h) => ({
                key: h.host,
                label: <Link to={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</Link>,
                value: h.totals.cost ?? 0,
                valueText: `${money(h.totals.cost)} · ${formatNumber(h.totals.gpu_hours, 1)} GPU-h`,
              }))}
          />
        )}
      </QueryView>
    </section>
  );
}

export function CostPage() {
  useDefaultRange('7d');
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const q = usePolledQuery(`cost:${key}`, (c) => fetchCost(c, range), { live: false });
  const fleet = usePolledQuery('cost:fleet', (c) => fetchFleetGpus(c), { live: false });
  const cap = usePolledQuery(`cost:cap:${key}`, (c) => fetchCapacityFor(c, range), { live: false, enabled: q.data !== undefined });
  const tiers = tiersByName(fleet.data);
  const target = TIERS_GB.find((t) => String(t) === params.get('tier')) ?? 24;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Cost</h1>
        <span className="muted">GPU-hours from each sample's interval, energy from the NVML counters, money from COLLECTOR_GPU_PRICES</span>
      </header>
      <QueryView q={q} what="cost" isEmpty={(d) => d.totals.gpu_hours === 0} empty="No GPU samples in this range.">
        {(d) => {
          const tierRows = costByTier(d.gpu_models, tiers);
          const targetModel = d.gpu_models
            .filter((m) => m.price_per_gpu_hour !== null && tiers.get(m.gpu_name) === target)
            .sort((a, b) => (a.price_per_gpu_hour ?? 0) - (b.price_per_gpu_hour ?? 0))[0];
          const est = moveEstimate(d.gpu_models, cap.data?.workloads ?? [], target, targetModel?.price_per_gpu_hour ?? null);
          return (
            <>
              <Totals d={d} />
              <section className="panel">
                <h2>By GPU model</h2>
                <table className="data" data-testid="cost-model-table">
                  <thead>
                    <tr>
                      <th>GPU model</th>
                      <th>Tier</th>
                      <th>GPUs</th>
                      <th>GPU-hours</th>
                      <th>kWh</th>
                      <th>Price / GPU-h</th>
                      <th>Cost</th>
                      <th>Images</th>
                      <th>
                        Per image <Explain text="cost ÷ images finished on GPUs of this model in the range" />
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.gpu_models.map((m) => (
                      <tr key={m.gpu_name} data-testid="cost-model-row" data-gpu={m.gpu_name}>
                        <td>{m.gpu_name}</td>
                        <td>{tiers.has(m.gpu_name) ? `${tiers.get(m.gpu_name)} GB` : '—'}</td>
                        <td>{m.gpus}</td>
                        <td>{formatNumber(m.gpu_hours, 1)}</td>
                        <td>{m.energy_kwh === null ? '—' : formatNumber(m.energy_kwh, 1)}</td>
                        <td>{money(m.price_per_gpu_hour)}</td>
                        <td data-testid="cost-model-cost">{money(m.cost)}</td>
                        <td>{formatNumber(m.images)}</td>
                        <td>{money(m.cost_per_image)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
              <section className="panel">
                <h2>By memory tier</h2>
                <BarList
                  testId="cost-by-tier"
                  items={tierRows.map((r) => ({
                    key: String(r.tier),
                    label: r.tier === 0 ? 'unknown tier' : `${r.tier} GB`,
                    value: r.cost ?? 0,
                    valueText: `${money(r.cost)} · ${formatNumber(r.gpu_hours, 1)} GPU-h · ${formatNumber(r.images)} images`,
                  }))}
                />
              </section>
              <section className="panel" aria-label="other tier">
                <h2>
                  The same work on another tier{' '}
                  <Explain text="The range's GPU-hours billed at the cheapest priced card of the tier in this fleet (same speed assumed), and how many jobs' p99 VRAM peaks (capacity planner) fit that tier with 10% headroom." />
                </h2>
                <div className="filters">
                  <label>
                    Tier{' '}
                    <select value={target} onChange={(e) => setParams({ tier: e.target.value }, { replace: true })} data-testid="cost-tier">
                      {TIERS_GB.map((t) => (
                        <option key={t} value={t}>
                          {t} GB
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
                <p data-testid="cost-move">
                  {targetModel === undefined
                    ? `No priced card of the ${target} GB tier in this fleet to price the move with.`
                    : `On ${targetModel.gpu_name} (${money(targetModel.price_per_gpu_hour)}/GPU-h): ${money(est.cost)} instead of ${money(est.currentCost)}`}
                  {cap.data === undefined
                    ? null
                    : est.jobs === 0
                      ? ' · no jobs with VRAM peaks in range.'
                      : ` · ${formatNumber(est.fittingJobs)} of ${formatNumber(est.jobs)} jobs fit in ${target} GB.`}
                </p>
              </section>
              <ByHost hosts={(fleet.data?.hosts ?? []).map((h) => h.host)} rangeKey={key} />
              <CampaignCost />
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
