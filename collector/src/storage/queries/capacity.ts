// Capacity: VRAM peak percentiles per model/runtime/resolution against the GPU tiers, and
// GPU-hours and utilization per GPU model. A job's peak is the max VRAM used on its GPU in its
// minute (rounded up to 256 MiB); a minute shared by several workloads counts for each
// (conservative for sizing); percentiles are over jobs. Jobs without a gpu_index count in `jobs`
// but not in the peaks. The per-hour distributions live in capacity_1h (capacity-rollup.ts).
import { GPU_TIERS_GB, type CapacityGpuModel, type CapacityQuery, type CapacityWorkload } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';

type Num = number | string | null;
const GB = 1e9;
const val = (x: number | null | undefined): number | null => (x === undefined || x === null || x === 0 ? null : x);

/** Smallest tier whose 90% holds the peak (10% headroom); null when even 80 GB does not. Pure. */
export function fitsTier(peakBytes: number | null): number | null {
  if (peakBytes === null) return null;
  return GPU_TIERS_GB.find((t) => peakBytes <= t * GB * 0.9) ?? null;
}

export async function queryCapacity(
  s: TenantScope,
  from: Date,
  to: Date,
  q: CapacityQuery,
): Promise<{ workloads: CapacityWorkload[]; gpu_models: CapacityGpuModel[] }> {
  // Both parts come from the hourly capacity tables written by capacity-rollup.ts.
  const conds: SqlFragment[] = [sql`t >= ${from} AND t < ${to}`];
  if (q.model !== undefined) conds.push(sql`model = ${q.model}`);
  if (q.runtime !== undefined) conds.push(sql`runtime = ${q.runtime}`);
  const [work, models] = await Promise.all([
    s.query<{ model: string; runtime: string; width: Num; height: Num; total_jobs: Num; q: (number | string)[] }>(sql`
      SELECT model, runtime, width, height, sum(jobs) AS total_jobs, quantilesExactWeightedMerge(0.5, 0.9, 0.99)(peak_q) AS q
      FROM ${s.rows('capacity_1h', joinSql(conds, ' AND '), { final: true })}
      GROUP BY model, runtime, width, height
      ORDER BY total_jobs DESC, model, runtime, width, height
      LIMIT 500`),
    s.query<{ gpu_name: string; max_gpus: Num; minutes: Num; busy: Num }>(sql`
      SELECT gpu_name, max(gpus) AS max_gpus, sum(gpu_minutes) AS minutes, sum(busy_minutes) AS busy
      FROM ${s.rows('capacity_gpu_1h', sql`t >= ${from} AND t < ${to}`, { final: true })}
      GROUP BY gpu_name ORDER BY gpu_name`),
  ]);
  const workloads = work.map((w) => {
    const [p50, p90, p99] = (w.q ?? []).map((x) => numOrNull(x));
    const width = numOrNull(w.width),
      height = numOrNull(w.height);
    return {
      model: w.model,
      runtime: w.runtime,
      width: width || null,
      height: height || null,
      jobs: numOrNull(w.total_jobs) ?? 0,
      vram_peak_p50_bytes: val(p50),
      vram_peak_p90_bytes: val(p90),
      vram_peak_p99_bytes: val(p99),
      fits_tier_gb: fitsTier(val(p99)),
    };
  });
  const gpu_models = models.map((m) => {
    const hours = (numOrNull(m.minutes) ?? 0) / 60;
    const busy = (numOrNull(m.busy) ?? 0) / 60;
    return {
      gpu_name: m.gpu_name,
      gpus: numOrNull(m.max_gpus) ?? 0,
      gpu_hours: hours,
      busy_gpu_hours: busy,
      utilization_ratio: hours > 0 ? busy / hours : null,
    };
  });
  return { workloads, gpu_models };
}
