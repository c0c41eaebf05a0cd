import type { SlowdownReason, SlowdownWindow } from '@renderwatch/schema';
import { usePolledQuery } from '../../api/usePolledQuery.js';
import { Link, useQueryState } from '../../app/router.js';
import { Explain } from '../../lib/Explain.js';
import { formatBytes, formatNumber, formatPercent } from '../../lib/format.js';
import { QueryView } from '../../lib/QueryView.js';
import { useTimeRange } from '../../lib/useTimeRange.js';
import { fetchSlowdowns } from './api.js';
import { dropText } from './slowdown-text.js';

const BASELINES = [1, 7, 14, 30] as const;

const REASON_TEXT: Record<SlowdownReason, string> = {
  thermal_throttle: 'thermal throttle',
  power_cap: 'power cap',
  model_cache_misses: 'model cache misses',
  other_gpu_processes: 'other GPU processes',
  slow_disk: 'slow disk',
  slow_network: 'slow network / downloads',
  model_download: 'model download',
};

function Pair({ now, base, fmt }: { now: number | null; base: number | null; fmt: (v: number | null) => string }) {
  const worse = now !== null && base !== null && now > base * 1.2 && now - base > 0.01;
  return (
    <span className={worse ? 'worse' : undefined} title={`now ${fmt(now)} · baseline ${fmt(base)}`}>
      {fmt(now)} <span className="muted small">vs {fmt(base)}</span>
    </span>
  );
}

function share(w: SlowdownWindow, k: 'thermal_share' | 'power_share' | 'cache_miss_ratio' | 'other_process_share'): number | null {
  return w[k];
}

export function SlowdownsPage() {
  const { range, key } = useTimeRange();
  const [params, setParams] = useQueryState();
  const baselineDays = BASELINES.find((b) => String(b) === params.get('baseline_days')) ?? 7;
  const q = usePolledQuery(`slow:${key}:${baselineDays}`, (c) => fetchSlowdowns(c, range, baselineDays));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Slowdowns</h1>
        <span className="muted">hosts ranked by their drop in images/min against their own baseline, with the likely reasons side by side</span>
      </header>
      <div className="filters">
        <label>
          Baseline{' '}
          <select value={baselineDays} onChange={(e) => setParams({ baseline_days: e.target.value })} data-testid="baseline-filter">
            {BASELINES.map((b) => (
              <option key={b} value={b}>
                {b} day{b === 1 ? '' : 's'} before the range
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView q={q} what="slowdowns" isEmpty={(d) => d.hosts.length === 0} empty="No host produced images in this range and its baseline.">
        {(d) => (
          <table className="data" data-testid="slowdown-table">
            <thead>
              <tr>
                <th>Host</th>
                <th>
                  Images/min <Explain text="images finished per minute in the range vs the host's own baseline" />
                </th>
                <th>
                  Drop <Explain text="1 − now ÷ baseline images/min; 30% = 30% slower" />
                </th>
                <th title="share of busy time with a thermal clock-event reason">Thermal</th>
                <th title="share of busy time capped by power">Power cap</th>
                <th title="model loads read from disk ÷ all model loads">Cache misses</th>
                <th title="share of samples with a non-runtime process on the GPU">Other procs</th>
                <th title="disk read and network receive throughput">Disk / net</th>
                <th>Likely reasons</th>
              </tr>
            </thead>
            <tbody>
              {d.hosts.map((h) => (
                <tr key={h.host} data-testid="slowdown-row" data-host={h.host}>
                  <td>
                    <Link to={`/hosts/${encodeURIComponent(h.host)}`}>{h.host}</Link>
                  </td>
                  <td>
                    {formatNumber(h.current.images_per_min, 1)} <span className="muted small">vs {formatNumber(h.baseline.images_per_min, 1)}</span>
                  </td>
                  <td data-testid="slowdown-drop" className={h.drop_ratio !== null && h.drop_ratio > 0.1 ? 'worse' : undefined}>
                    {dropText(h.drop_ratio, h.baseline.images_per_min)}
                  </td>
                  <td>
                    <Pair now={share(h.current, 'thermal_share')} base={share(h.baseline, 'thermal_share')} fmt={(v) => formatPercent(v)} />
                  </td>
                  <td>
                    <Pair now={share(h.current, 'power_share')} base={share(h.baseline, 'power_share')} fmt={(v) => formatPercent(v)} />
                  </td>
                  <td>
                    <Pair now={share(h.current, 'cache_miss_ratio')} base={share(h.baseline, 'cache_miss_ratio')} fmt={(v) => formatPercent(v)} />
                  </td>
                  <td>
                    <Pair now={share(h.current, 'other_process_share')} base={share(h.baseline, 'other_process_share')} fmt={(v) => formatPercent(v)} />
                  </td>
                  <td className="small">
                    {formatBytes(h.current.disk_read_bytes_per_s)}/s · {formatBytes(h.current.net_rx_bytes_per_s)}/s
                  </td>
                  <td>
                    {h.reasons.length === 0 ? (
                      <span className="muted">none found</span>
                    ) : (
                      h.reasons.map((r) => (
                        <span key={r.reason} className="badge badge-warn" title={r.detail} data-testid="slowdown-reason">
                          {REASON_TEXT[r.reason]}
                        </span>
                      ))
                    )}
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
