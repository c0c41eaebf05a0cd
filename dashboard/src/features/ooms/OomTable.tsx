import type { OomRow } from '@renderwatch/schema';
import { Link } from '../../app/router.js';
import { formatBytes, formatClock } from '../../lib/format.js';
import { windowAround } from '../../lib/time-range.js';
import { CAUSE_TEXT } from './advice.js';

/** Link to the host page at ±15 min around the OOM, on its GPU. */
export function oomHostHref(o: OomRow): string {
  const w = windowAround(Date.parse(o.ts), 15 * 60_000);
  const gpu = o.gpu_index === null ? '' : `gpu=${o.gpu_index}&`;
  return `/hosts/${encodeURIComponent(o.host)}?${gpu}from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`;
}

export function OomTable({ events, truncated }: { events: OomRow[]; truncated: boolean }) {
  return (
    <section className="panel">
      <h2>OOM events{truncated ? ' (newest 200)' : ''}</h2>
      <table className="data" data-testid="oom-table">
        <thead>
          <tr>
            <th>Time · host · GPU</th>
            <th title="the cause the agent chose, and the rule that chose it">Cause (rule)</th>
            <th title="bytes the failed allocation asked for">Requested</th>
            <th title="free of total GPU memory when it failed">Free / total</th>
            <th title="allocated by PyTorch / reserved but unallocated">Allocated / reserved free</th>
            <th title="VRAM held by other processes">Other procs</th>
            <th>Job</th>
          </tr>
        </thead>
        <tbody>
          {events.map((o, i) => (
            <tr key={`${o.ts}:${o.host}:${i}`} data-testid="oom-row">
              <td>
                <Link to={oomHostHref(o)} keepRange={false} data-testid="oom-host-link" title="open the host at the time of this OOM">
                  {formatClock(o.ts)} · {o.host}
                  {o.gpu_index === null ? '' : ` · GPU ${o.gpu_index}`}
                </Link>
                <div className="muted small">
                  {o.runtime}
                  {o.gpu_tier_gb === null ? '' : ` · ${o.gpu_tier_gb} GB tier`}
                  {o.recovered === true ? ' · recovered' : ''}
                </div>
              </td>
              <td>
                <span className="badge">{CAUSE_TEXT[o.cause] ?? o.cause}</span>
                <div className="muted small" data-testid="cause-rule">
                  {o.cause_rule}
                </div>
              </td>
              <td>{formatBytes(o.requested_bytes)}</td>
              <td>
                {formatBytes(o.free_bytes)} / {formatBytes(o.total_bytes)}
              </td>
              <td>
                {formatBytes(o.allocated_bytes)} / {formatBytes(o.reserved_unallocated_bytes)}
              </td>
              <td>{formatBytes(o.other_processes_bytes)}</td>
              <td className="small">
                {o.model ?? '—'}
                {o.width !== null && o.height !== null ? ` · ${o.width}×${o.height}` : ''}
                {o.batch === null ? '' : ` · batch ${o.batch}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
