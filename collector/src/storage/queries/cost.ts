// Cost: GPU-hours (minutes with samples per GPU, from gpu_1h), energy from the NVML energy counter
// (gpu_energy_1h, migration 0011) and cost per job and per image per GPU model from the configured
// price per GPU-hour. Jobs and images come from jobs_1h keyed by (host, gpu_index) and are given to
// the GPU model of that GPU; jobs without a known GPU go to the host's model when it has only one.
import type { CostGpuModel, CostQuery, CostTotals } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';
import { priceFor, type GpuPrice } from './gpu-prices.js';

type Num = number | string | null;
const J_PER_KWH = 3.6e6;

// Per GPU over the window's hours, sorted: tuples (t, first, last, min, max). Within an hour
// last - first, or max - first + last when a reading fell below the first or above the last (a reset
// to ~0); between hours the step from one's last to the next one's first, or that first after a reset.
const ENERGY = `arraySum(arrayMap(x -> if(x.4 < x.2 OR x.5 > x.3, x.5 - x.2 + x.3, x.3 - x.2), hs))
  + arraySum(arrayMap((a, b) -> if(b.2 >= a.3, b.2 - a.3, b.2), arrayPopBack(hs), arrayPopFront(hs)))`;

interface GpuRow { host: string; gpu_uuid: string; gpu_index: Num; gpu_name: string; minutes: Num }

export async function queryCost(s: TenantScope, from: Date, to: Date, q: CostQuery, prices: readonly GpuPrice[]): Promise<{ gpu_models: CostGpuModel[]; totals: CostTotals }> {
  const conds: SqlFragment[] = [sql`t >= ${from} AND t < ${to}`];
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  const where = joinSql(conds, ' AND ');
  const [gpus, energy, jobs] = await Promise.all([
    s.query<GpuRow>(sql`
      SELECT host, gpu_uuid, any(gpu_index) AS gpu_index, any(gpu_name) AS gpu_name, uniqExactMerge(minutes) AS minutes
      FROM ${s.rows('gpu_1h', where)}
      GROUP BY host, gpu_uuid`),
    s.query<{ host: string; gpu_uuid: string; joules: Num }>(sql`
      SELECT host, gpu_uuid, ${raw(ENERGY)} AS joules
      FROM (
        SELECT host, gpu_uuid, arraySort(x -> x.1, groupArray((toUInt32(t), f, l, mn, mx))) AS hs
        FROM (
          SELECT host, gpu_uuid, t, argMinMerge(e_first) AS f, argMaxMerge(e_last) AS l, minMerge(e_min) AS mn, maxMerge(e_max) AS mx
          FROM ${s.rows('gpu_energy_1h', where)}
          GROUP BY host, gpu_uuid, t)
        GROUP BY host, gpu_uuid)`),
    s.query<{ host: string; gpu_index: Num; jobs: Num; images: Num }>(sql`
      SELECT host, gpu_index, countIfMerge(jobs) AS jobs, sumIfMerge(images) AS images
      FROM ${s.rows('jobs_1h', where)}
      GROUP BY host, gpu_index
      HAVING jobs > 0`),
  ]);
  return costAnswer(gpus, energy, jobs, prices);
}

interface ModelAcc { gpus: number; minutes: number; joules: number | null; jobs: number; images: number }

function costAnswer(
  gpus: GpuRow[], energy: { host: string; gpu_uuid: string; joules: Num }[], jobs: { host: string; gpu_index: Num; jobs: Num; images: Num }[], prices: readonly GpuPrice[],
): { gpu_models: CostGpuModel[]; totals: CostTotals } {
  const joules = new Map(energy.map((e) => [`${e.host}\u0000${e.gpu_uuid}`, numOrNull(e.joules)]));
  const byIndex = new Map<string, string>();
  const hostModels = new Map<string, Set<string>>();
  const models = new Map<string, ModelAcc>();
  const acc = (name: string): ModelAcc => {
    let m = models.get(name);
    if (m === undefined) models.set(name, (m = { gpus: 0, minutes: 0, joules: null, jobs: 0, images: 0 }));
    return m;
  };
  for (const g of gpus) {
    const m = acc(g.gpu_name);
    m.gpus += 1;
    m.minutes += numOrNull(g.minutes) ?? 0;
    const j = joules.get(`${g.host}\u0000${g.gpu_uuid}`);
    if (j !== undefined && j !== null) m.joules = (m.joules ?? 0) + j;
    byIndex.set(`${g.host}\u0000${numOrNull(g.gpu_index) ?? -1}`, g.gpu_name);
    const set = hostModels.get(g.host) ?? new Set<string>();
    set.add(g.gpu_name);
    hostModels.set(g.host, set);
  }
  const totals: CostTotals = { gpu_hours: 0, energy_kwh: null, cost: null, unpriced_gpu_hours: 0, jobs: 0, images: 0, unattributed_jobs: 0, unattributed_images: 0 };
  for (const j of jobs) {
    const n = numOrNull(j.jobs) ?? 0, img = numOrNull(j.images) ?? 0;
    totals.jobs += n;
    totals.images += img;
    const only = hostModels.get(j.host);
    const name = byIndex.get(`${j.host}\u0000${numOrNull(j.gpu_index) ?? -1}`) ?? (only?.size === 1 ? [...only][0] : undefined);
    const m = name === undefined ? undefined : models.get(name);
    if (m === undefined) {
      totals.unattributed_jobs += n;
      totals.unattributed_images += img;
      continue;
    }
    m.jobs += n;
    m.images += img;
  }
  const gpu_models = [...models.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([gpu_name, m]): CostGpuModel => {
    const gpu_hours = m.minutes / 60;
    const price = priceFor(prices, gpu_name);
    const cost = price === null ? null : gpu_hours * price;
    totals.gpu_hours += gpu_hours;
    if (m.joules !== null) totals.energy_kwh = (totals.energy_kwh ?? 0) + m.joules / J_PER_KWH;
    if (cost === null) totals.unpriced_gpu_hours += gpu_hours;
    else totals.cost = (totals.cost ?? 0) + cost;
    return {
      gpu_name, gpus: m.gpus, gpu_hours, energy_kwh: m.joules === null ? null : m.joules / J_PER_KWH, price_per_gpu_hour: price, cost,
      jobs: m.jobs, images: m.images, cost_per_job: cost !== null && m.jobs > 0 ? cost / m.jobs : null, cost_per_image: cost !== null && m.images > 0 ? cost / m.images : null,
    };
  });
  return { gpu_models, totals };
}
