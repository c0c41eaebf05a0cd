import type { FleetGpu } from '@renderwatch/schema';
import { Link } from '../../app/router.js';
import { formatCelsius, formatMemPair, formatPercent } from '../../lib/format.js';

/** Throttle reasons worth flagging (gpu_idle is normal, not a problem). */
function throttleReasons(g: FleetGpu): string[] {
  return g.clock_event_reasons.filter((r) => r !== 'gpu_idle');
}

export function GpuChip({ host, gpu }: { host: string; gpu: FleetGpu }) {
  const util = gpu.utilization_ratio ?? 0;
  const reasons = throttleReasons(gpu);
  const hot = (gpu.temperature_celsius ?? 0) >= 83 || reasons.some((r) => r.includes('thermal'));
  return (
    <Link
      to={`/hosts/${encodeURIComponent(host)}?gpu=${gpu.index}`}
      className={`gpu-chip${hot ? ' gpu-hot' : ''}`}
      data-testid="gpu"
      data-gpu-index={String(gpu.index)}
      title={`GPU ${gpu.index} · ${gpu.name} · ${gpu.uuid}${reasons.length > 0 ? ` · clock events: ${reasons.join(', ')}` : ''}`}
    >
      <span className="gpu-idx">#{gpu.index}</span>
      <span className="gpu-util-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(Math.max(0, Math.min(1, util)) * 100)}%` }} />
      </span>
      <span data-testid="gpu-util" className="gpu-util">
        {formatPercent(gpu.utilization_ratio)}
      </span>
      <span data-testid="gpu-temp" className="gpu-temp">
        {formatCelsius(gpu.temperature_celsius)}
      </span>
      <span data-testid="gpu-mem" className="gpu-mem">
        {formatMemPair(gpu.memory_used_bytes, gpu.memory_total_bytes)}
      </span>
      {reasons.length > 0 ? <span className="badge badge-warn">{reasons.join(', ')}</span> : null}
    </Link>
  );
}
