// Cost: GPU-hours (the time GPU samples stand for, `interval_ms`), energy (the agents' per-sample
// NVML energy counter increases) and jobs and images, all sums kept by migration 0012 in
// gpu_cost_1h / gpu_cost_1d (views) and gpu_cost_history_1h / gpu_cost_history_1d (what came before
// it): the whole days of the window from the daily tables, the hours of its partial days from the
// hourly ones. Cost per job and per image per GPU model from the configured price per
// GPU-hour. Jobs are keyed by (host, gpu_index) and given to the GPU model of that GPU; jobs without
// a known GPU go to the host's model when it has only one.
import { emptyCostTotals, type CostGpuModel, type CostHost, type CostQuery, type CostTotals } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';
import { priceFor, type GpuPrice } from './gpu-prices.js';

type Num = number | string | null;
const J_PER_KWH = 3.6e6;
const DAY_MS = 86400_000;
const HOUR_MS = 3600_000;
/** The history tables' plain columns under the names the views' merged states get. */
const HISTORY_COLS = raw('sampled_ms AS sm, energy_joules AS ej, energy_samples AS en, jobs AS jb, images AS im');

/**
 * The hours whose start lies in [from, to) (what the hourly rollups have always answered), split
 * into whole UTC days for the daily rollup and the hours before and after them for the hourly one. Pure.
 */
export function costSpans(from: Date, to: Date): { days: [Date, Date] | null; hours: [Date, Date][] } {
  const h0 = Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS;
  const h1 = Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS;
  const d0 = Math.ceil(h0 / DAY_MS) * DAY_MS;
  const d1 = Math.floor(h1 / DAY_MS) * DAY_MS;
  if (d1 <= d0) return { days: null, hours: h1 > h0 ? [[new Date(h0), new Date(h1)]] : [] };
  const hours: [Date, Date][] = [];
  if (h0 < d0) hours.push([new Date(h0), new Date(d0)]);
  if (d1 < h1) hours.push([new Date(d1), new Date(h1)]);
  return { days: [new Date(d0), new Date(d1)], hours };
}

export interface CostRow {
  host: string;
  gpu_uuid: string;
  gpu_index: Num;
  name: string;
  sampled_ms: Num;
  energy_joules: Num;
  energy_samples: Num;
  jobs: Num;
  images: Num;
}

export async function queryCost(
  s: TenantScope,
  from: Date,
  to: Date,
  q: CostQuery,
  prices: readonly GpuPrice[],
): Promise<{ gpu_models: CostGpuModel[]; totals: CostTotals; hosts?: CostHost[] }> {
  const spans = costSpans(from, to);
  const host: SqlFragment[] = q.host === undefined ? [] : [sql`host = ${q.host}`];
  // Per rollup table: the views' sum states, and the history copied by migration 0012 (FINAL: a
  // copy made twice counts once). Whole days from the daily tables, partial days hour by hour.
  const span = (a: Date, b: Date): SqlFragment => joinSql([sql`t >= ${a} AND t < ${b}`, ...host], ' AND ');
  const part = (grain: '1h' | '1d', a: Date, b: Date): SqlFragment => sql`
    SELECT host, gpu_index, gpu_uuid, any(gpu_name) AS gpu_name, sumMerge(sampled_ms) AS sm, sumMerge(energy_joules) AS ej,
      sumMerge(energy_samples) AS en, sumMerge(jobs) AS jb, sumMerge(images) AS im
    FROM ${s.rows(`gpu_cost_${grain}`, span(a, b))}
    GROUP BY host, gpu_index, gpu_uuid
    UNION ALL
    SELECT host, gpu_index, gpu_uuid, gpu_name, ${HISTORY_COLS} FROM ${s.rows(`gpu_cost_history_${grain}`, span(a, b), { final: true })}`;
  const parts = [...(spans.days === null ? [] : [part('1d', ...spans.days)]), ...spans.hours.map(([a, b]) => part('1h', a, b))];
  if (parts.length === 0) return { ...costAnswer([], [], prices), ...(q.by === 'host' ? { hosts: [] } : {}) };
  const rows = await s.query<CostRow>(sql`
    SELECT host, gpu_uuid, gpu_index, anyIf(gpu_name, gpu_name != '') AS name, sum(sm) AS sampled_ms,
      sum(ej) AS energy_joules, sum(en) AS energy_samples, sum(jb) AS jobs, sum(im) AS images
    FROM (${joinSql(parts, ' UNION ALL ')})
    GROUP BY host, gpu_index, gpu_uuid`);
  const gpus = rows.filter((r) => r.gpu_uuid !== '' && (numOrNull(r.sampled_ms) ?? 0) > 0);
  const jobs = rows.filter((r) => r.gpu_uuid === '' && (numOrNull(r.jobs) ?? 0) > 0);
  return { ...costAnswer(gpus, jobs, prices), ...(q.by === 'host' ? { hosts: costByHost(gpus, jobs, prices) } : {}) };
}

/**
 * `by=host`: each host's totals from the same rows, worked out as `?host=` would (a job is given to a
 * GPU of its own host only, so a host's rows alone give its answer). Pure.
 */
export function costByHost(gpus: readonly CostRow[], jobs: readonly CostRow[], prices: readonly GpuPrice[]): CostHost[] {
  const byHost = new Map<string, { gpus: CostRow[]; jobs: CostRow[] }>();
  const of = (h: string): { gpus: CostRow[]; jobs: CostRow[] } => {
    let e = byHost.get(h);
    if (e === undefined) byHost.set(h, (e = { gpus: [], jobs: [] }));
    return e;
  };
  for (const g of gpus) of(g.host).gpus.push(g);
  for (const j of jobs) of(j.host).jobs.push(j);
  return [...byHost.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([host, e]) => ({ host, totals: costAnswer(e.gpus, e.jobs, prices).totals }));
}

interface ModelAcc {
  gpus: number;
  hours: number;
  joules: number | null;
  jobs: number;
  images: number;
}

function costAnswer(gpus: readonly CostRow[], jobs: readonly CostRow[], prices: readonly GpuPrice[]): { gpu_models: CostGpuModel[]; totals: CostTotals } {
  const byIndex = new Map<string, string>();
  const hostModels = new Map<string, Set<string>>();
  const models = new Map<string, ModelAcc>();
  const acc = (name: string): ModelAcc => {
    let m = models.get(name);
    if (m === undefined) models.set(name, (m = { gpus: 0, hours: 0, joules: null, jobs: 0, images: 0 }));
    return m;
  };
  for (const g of gpus) {
    const m = acc(g.name);
    m.gpus += 1;
    m.hours += (numOrNull(g.sampled_ms) ?? 0) / HOUR_MS;
    if ((numOrNull(g.energy_samples) ?? 0) > 0) m.joules = (m.joules ?? 0) + (numOrNull(g.energy_joules) ?? 0);
    byIndex.set(`${g.host}\u0000${numOrNull(g.gpu_index) ?? -1}`, g.name);
    const set = hostModels.get(g.host) ?? new Set<string>();
    set.add(g.name);
    hostModels.set(g.host, set);
  }
  const totals: CostTotals = emptyCostTotals();
  for (const j of jobs) {
    const n = numOrNull(j.jobs) ?? 0,
      img = numOrNull(j.images) ?? 0;
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
  const gpu_models = [...models.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([gpu_name, m]): CostGpuModel => {
      const gpu_hours = m.hours;
      const price = priceFor(prices, gpu_name);
      const cost = price === null ? null : gpu_hours * price;
      totals.gpu_hours += gpu_hours;
      if (m.joules !== null) totals.energy_kwh = (totals.energy_kwh ?? 0) + m.joules / J_PER_KWH;
      if (cost === null) totals.unpriced_gpu_hours += gpu_hours;
      else totals.cost = (totals.cost ?? 0) + cost;
      return {
        gpu_name,
        gpus: m.gpus,
        gpu_hours,
        energy_kwh: m.joules === null ? null : m.joules / J_PER_KWH,
        price_per_gpu_hour: price,
        cost,
        jobs: m.jobs,
        images: m.images,
        cost_per_job: cost !== null && m.jobs > 0 ? cost / m.jobs : null,
        cost_per_image: cost !== null && m.images > 0 ? cost / m.images : null,
      };
    });
  return { gpu_models, totals };
}
