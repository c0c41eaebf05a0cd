import type { CapacityResponse } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { useQueryState } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatBytes, formatNumber, formatPercent } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchCapacity } from './api.js';
import { headroomShare, usableBytes, whatIf, workloadKey, workloadLabel } from './tiers.js';

function WhatIfPanel({ d }: { d: CapacityResponse }) {
  const [params, setParams] = useQueryState();
  const selected = d.workloads.find((w) => workloadKey(w) === params.get('wl')) ?? d.workloads[0];
  const tier = d.tiers_gb.find((t) => String(t) === params.get('tier')) ?? d.tiers_gb[1] ?? d.tiers_gb[0] ?? 24;
  if (selected === undefined) return null;
  const r = whatIf(selected, tier);
  return (
    <section className="panel" aria-label="what-if">
      <h2>
        What if <Explain text="Estimated from the workload's p50/p90/p99 VRAM peaks: a tier fits a peak when the peak stays within 90% of the tier." />
      </h2>
      <div className="filters">
        <label>
          Move{' '}
          <select value={workloadKey(selected)} onChange={(e) => setParams({ wl: e.target.value }, { replace: true })} data-testid="whatif-workload">
            {d.workloads.map((w) => (
              <option key={workloadKey(w)} value={workloadKey(w)}>
                {workloadLabel(w)}
              </option>
            ))}
          </select>
        </label>
        <label>
          to tier{' '}
          <select value={tier} onChange={(e) => setParams({ tier: e.target.value }, { replace: true })} data-testid="whatif-tier">
            {d.tiers_gb.map((t) => (
              <option key={t} value={t}>
                {t} GB
              </option>
            ))}
          </select>
        </label>
      </div>
      <p data-testid="whatif-result" className={r.atLeastShare >= 0.99 ? 'good' : r.atLeastShare >= 0.9 ? '' : 'worse'}>
        {r.text}
      </p>
    </section>
  );
}

export function CapacityPage() {
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const model = params.get('model') ?? undefined;
  const runtime = params.get('runtime') ?? undefined;
  const q = usePolledQuery(`cap:${key}:${model ?? ''}:${runtime ?? ''}`, (c) => fetchCapacity(c, range, { model, runtime }), { live: false });
  return (
    <div className="page">
      <header className="page-header">
        <h1>Capacity planner</h1>
        <span className="muted">which GPU tier each workload needs, and how busy each GPU model is</span>
      </header>
      <QueryView
        q={q}
        what="capacity"
        isEmpty={(d) => d.workloads.length === 0 && d.gpu_models.length === 0}
        empty="No finished jobs with a model in this range yet: workloads appear once runtimes report job_end events (the capacity rollup runs periodically), so try a longer range."
      >
        {(d) => (
          <>
            <div className="filters">
              <label>
                Model{' '}
                <select value={model ?? ''} onChange={(e) => setParams({ model: e.target.value })} data-testid="capacity-model-filter">
                  <option value="">all</option>
                  {[...new Set(d.workloads.map((w) => w.model).concat(model === undefined ? [] : [model]))].sort().map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Runtime{' '}
                <select value={runtime ?? ''} onChange={(e) => setParams({ runtime: e.target.value })}>
                  <option value="">all</option>
                  {[...new Set(d.workloads.map((w) => w.runtime).concat(runtime === undefined ? [] : [runtime]))].sort().map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <section className="panel">
              <h2>
                VRAM peaks per workload against the tiers{' '}
                <Explain text="p50/p90/p99 of the peak VRAM used on the job's GPU while its jobs ran. A tier fits when the p99 peak stays within 90% of it." />
              </h2>
              <table className="data" data-testid="capacity-table">
                <thead>
                  <tr>
                    <th>Model · runtime · resolution</th>
                    <th>Jobs</th>
                    <th>Peak p50 / p90 / p99</th>
                    {d.tiers_gb.map((t) => (
                      <th key={t} title={`usable: ${formatBytes(usableBytes(t))}`}>
                        {t} GB
                      </th>
                    ))}
                    <th>Smallest tier that fits</th>
                  </tr>
                </thead>
                <tbody>
                  {d.workloads.map((w) => (
                    <tr key={workloadKey(w)} data-testid="capacity-row" data-model={w.model}>
                      <td>{workloadLabel(w)}</td>
                      <td>{w.jobs}</td>
                      <td className="small">
                        {formatBytes(w.vram_peak_p50_bytes)} / {formatBytes(w.vram_peak_p90_bytes)} / {formatBytes(w.vram_peak_p99_bytes)}
                      </td>
                      {d.tiers_gb.map((t) => {
                        const p = w.vram_peak_p99_bytes;
                        const fits = p !== null && p <= usableBytes(t);
                        return (
                          <td
                            key={t}
                            className={p === null ? 'muted' : fits ? 'fit' : 'nofit'}
                            title={p === null ? 'no peak measured' : `headroom ${formatPercent(headroomShare(p, t))} of ${t} GB at p99`}
                          >
                            {p === null ? '—' : fits ? `✓ ${formatPercent(headroomShare(p, t))}` : '✗'}
                          </td>
                        );
                      })}
                      <td data-testid="fits-tier">
                        <strong>{w.fits_tier_gb === null ? 'none (bigger than 80 GB)' : `${w.fits_tier_gb} GB`}</strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <WhatIfPanel d={d} />
            <section className="panel">
              <h2>
                GPU-hours and utilization per GPU model{' '}
                <Explain text="GPU-hours = GPUs reporting × hours in range; busy GPU-hours = GPU-hours × mean utilization." />
              </h2>
              <table className="data" data-testid="gpu-model-table">
                <thead>
                  <tr>
                    <th>GPU model</th>
                    <th>GPUs</th>
                    <th>GPU-hours</th>
                    <th>Busy GPU-hours</th>
                    <th>Utilization</th>
                  </tr>
                </thead>
                <tbody>
                  {d.gpu_models.map((g) => (
                    <tr key={g.gpu_name}>
                      <td>{g.gpu_name}</td>
                      <td>{g.gpus}</td>
                      <td>{formatNumber(g.gpu_hours, 1)}</td>
                      <td>{formatNumber(g.busy_gpu_hours, 1)}</td>
                      <td>{formatPercent(g.utilization_ratio)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
