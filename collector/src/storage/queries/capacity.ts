// Capacity: VRAM peak percentiles per model/runtime/resolution against the GPU tiers, and
// GPU-hours and utilization per GPU model. A workload's peak in a bucket is the max VRAM used on
// the GPU the job ran on in that bucket (1 min or 1 h); buckets shared by several workloads count
// for each (conservative for sizing). Percentiles are over jobs (each bucket weighted by its job count). Jobs without a gpu_index count in `jobs` but not in peaks.
import { GPU_TIERS_GB, type CapacityGpuModel, type CapacityQuery, type CapacityWorkload } from '@renderwatch/schema';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { gpuAggs, jobAggs, numOrNull, timeCol } from './aggregates.js';

type Num = number | string | null;
const GB = 1e9;
const val = (x: number | null | undefined): number | null => (x === undefined || x === null || x === 0 ? null : x);

/** Smallest tier whose 90% holds the peak (10% headroom); null when even 80 GB does not. Pure. */
export function fitsTier(peakBytes: number | null): number | null {
  if (peakBytes === null) return null;
  return GPU_TIERS_GB.find((t) => peakBytes <= t * GB * 0.9) ?? null;
}

export async function queryCapacity(s: TenantScope, r: ResolvedRange, q: CapacityQuery): Promise<{ workloads: CapacityWorkload[]; gpu_models: CapacityGpuModel[] }> {
  const tc = timeCol(r.resolution);
  const raw1 = r.resolution === 'raw';
  // Raw rows are bucketed by minute so a job meets the samples around it.
  const b = raw(raw1 ? 'toStartOfMinute(ts)' : 't');
  const jobConds: SqlFragment[] = [sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`];
  if (raw1) jobConds.push(raw("kind = 'job_end'"));
  if (q.model !== undefined) jobConds.push(sql`model = ${q.model}`);
  if (q.runtime !== undefined) jobConds.push(sql`runtime = ${q.runtime}`);
  const jobKeyGpu = raw(raw1 ? 'ifNull(gpu_index, 65535)' : 'gpu_index');
  const jobW = raw(raw1 ? 'ifNull(width, 0)' : 'width');
  const jobH = raw(raw1 ? 'ifNull(height, 0)' : 'height');
  const [work, models] = await Promise.all([
    s.query<{ model: string; runtime: string; width: Num; height: Num; total_jobs: Num; q: (number | string)[] }>(sql`
      SELECT model, runtime, width, height, sum(jobs) AS total_jobs, quantilesExactWeightedIf(0.5, 0.9, 0.99)(peak, toUInt64(jobs), peak > 0) AS q
      FROM (
        SELECT host, ${jobKeyGpu} AS gpu_index, ${b} AS bt, model, runtime, ${jobW} AS width, ${jobH} AS height, ${jobAggs(r.resolution, ['jobs'])}
        FROM ${s.rows(r.table('jobs'), joinSql(jobConds, ' AND '))}
        GROUP BY host, gpu_index, bt, model, runtime, width, height)
      ANY LEFT JOIN (
        SELECT host, gpu_index, bt, max(mem_used_max) AS peak FROM (
          SELECT host, gpu_uuid, any(gpu_index) AS gpu_index, ${b} AS bt, ${gpuAggs(r.resolution, ['mem_used_max'])}
          FROM ${s.rows(r.table('gpu'), sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`)} GROUP BY host, gpu_uuid, bt)
        GROUP BY host, gpu_index, bt)
      USING (host, gpu_index, bt)
      WHERE jobs > 0
      GROUP BY model, runtime, width, height
      ORDER BY total_jobs DESC, model, runtime, width, height
      LIMIT 500`),
    s.query<{ gpu_name: string; gpus: Num; minutes: Num; util_avg: Num }>(sql`
      SELECT gpu_name, count() AS gpus, sum(minutes) AS minutes, sum(util_avg * samples) / sum(samples) AS util_avg FROM (
        SELECT gpu_uuid, any(gpu_name) AS gpu_name, ${gpuAggs(r.resolution, ['minutes', 'util_avg', 'samples'])}
        FROM ${s.rows(r.table('gpu'), sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`)} GROUP BY gpu_uuid)
      GROUP BY gpu_name ORDER BY gpu_name`),
  ]);
  const workloads = work.map((w) => {
    const [p50, p90, p99] = (w.q ?? []).map((x) => numOrNull(x));
    const width = numOrNull(w.width), height = numOrNull(w.height);
    return {
      model: w.model, runtime: w.runtime, width: width || null, height: height || null, jobs: numOrNull(w.total_jobs) ?? 0,
      vram_peak_p50_bytes: val(p50), vram_peak_p90_bytes: val(p90), vram_peak_p99_bytes: val(p99), fits_tier_gb: fitsTier(val(p99)),
    };
  });
  const gpu_models = models.map((m) => {
    const hours = (numOrNull(m.minutes) ?? 0) / 60;
    const util = numOrNull(m.util_avg);
    return { gpu_name: m.gpu_name, gpus: numOrNull(m.gpus) ?? 0, gpu_hours: hours, busy_gpu_hours: hours * (util ?? 0), utilization_ratio: util };
  });
  return { workloads, gpu_models };
}
