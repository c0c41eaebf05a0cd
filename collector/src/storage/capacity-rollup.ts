// Fills capacity_1h and capacity_gpu_1h: for each hour in [from, to), every tenant's job-weighted peak-VRAM
// distribution per workload, from the job and GPU rollups of the chosen resolution (1m normally;
// 1h for back-filling beyond the 1m retention). Runs across tenants; every key carries the tenant.
import type { Job } from '../jobs.js';
import type { Storage } from './clickhouse.js';
import { ident, raw, sql } from './sql.js';

const ROUND = 268435456; // 256 MiB

export async function refreshCapacity(storage: Storage, from: Date, to: Date, source: '1m' | '1h' = '1m'): Promise<void> {
  const jobs = ident(`jobs_${source}`);
  const gpu = ident(`gpu_${source}`);
  const range = sql`t >= toStartOfHour(${from}) AND t < ${to}`;
  await storage.command(sql`
    INSERT INTO capacity_1h (tenant, t, model, runtime, width, height, jobs, peak_q, computed_at)
    SELECT tenant, toStartOfHour(bt) AS hour, model, runtime, width, height, sum(n) AS jobs,
      quantilesExactWeightedState(0.5, 0.9, 0.99)(toUInt64(intDiv(peak + ${raw(String(ROUND - 1))}, ${raw(String(ROUND))}) * ${raw(String(ROUND))}), toUInt64(if(peak > 0, n, 0))) AS peak_q,
      now() AS computed_at
    FROM (
      SELECT tenant, host, gpu_index, t AS bt, model, runtime, width, height, countIfMerge(jobs) AS n
      FROM ${jobs} WHERE ${range} GROUP BY tenant, host, gpu_index, bt, model, runtime, width, height) AS j
    ANY LEFT JOIN (
      SELECT tenant, host, gpu_index, bt, max(m) AS peak FROM (
        SELECT tenant, host, gpu_uuid, any(gpu_index) AS gpu_index, t AS bt, maxMerge(mem_used_max) AS m
        FROM ${gpu} WHERE ${range} GROUP BY tenant, host, gpu_uuid, bt)
      GROUP BY tenant, host, gpu_index, bt) AS p
    USING (tenant, host, gpu_index, bt)
    WHERE n > 0
    GROUP BY tenant, hour, model, runtime, width, height`);
  await storage.command(sql`
    INSERT INTO capacity_gpu_1h (tenant, t, gpu_name, gpus, gpu_minutes, busy_minutes, computed_at)
    SELECT tenant, hour, gpu_name, uniqExact(gpu_uuid) AS gpus, sum(m) AS gpu_minutes, sum(m * ifNull(u, 0)) AS busy_minutes, now() AS computed_at
    FROM (
      SELECT tenant, gpu_uuid, any(gpu_name) AS gpu_name, toStartOfHour(t) AS hour, uniqExactMerge(minutes) AS m, avgMerge(util_avg) AS u
      FROM ${gpu} WHERE ${range} GROUP BY tenant, gpu_uuid, hour)
    GROUP BY tenant, hour, gpu_name`);
}

/** Recomputes the current and previous `hoursBack` hours every `intervalS`; returns a stop function. */
/** The capacity refresh as a background job (../jobs.ts): the last `hoursBack` hours and the current one, every `intervalS`, the first run 1 s after start. */
export function capacityRefreshJob(storage: Storage, intervalS: number, hoursBack: number, now: () => number): Job {
  return {
    name: 'capacity-refresh',
    intervalMs: intervalS * 1000,
    firstDelayMs: 1000,
    run: async () => {
      const t = now();
      await refreshCapacity(storage, new Date(t - hoursBack * 3600_000), new Date(t + 3600_000));
    },
  };
}
