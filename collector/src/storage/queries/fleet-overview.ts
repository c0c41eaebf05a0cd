// Fleet overview tiles and the hosts × time utilization heatmap.
import type { FleetSummaryResponse, HeatmapResponse } from '@renderwatch/schema';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { raw, sql, type SqlFragment } from '../sql.js';
import { gpuAggs, gpuExpr, jobAggs, jobKindsFilter, numOrNull, timeCol } from './aggregates.js';

type Num = number | string | null;
const n0 = (v: Num): number => numOrNull(v) ?? 0;

export async function queryFleetSummary(
  s: TenantScope,
  r: ResolvedRange,
  nowMs: number,
  silentAfterS: number,
): Promise<Omit<FleetSummaryResponse, 'from' | 'to' | 'step_s' | 'resolution'>> {
  const tc = timeCol(r.resolution);
  const inRange = sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`;
  const now = new Date(nowMs);
  const silentSince = new Date(nowMs - silentAfterS * 1000);
  const latestSince = new Date(nowMs - Math.max(silentAfterS, 300) * 1000);
  const [hosts, latest, gpu, jobs] = await Promise.all([
    s.query<{ total: Num; up: Num }>(sql`
      SELECT count() AS total, countIf(seen >= ${silentSince}) AS up
      FROM (SELECT host, max(last_seen) AS seen FROM ${s.rows('hosts', sql`last_seen >= ${r.from}`)} GROUP BY host)`),
    s.query<{ gpus: Num; busy: Num }>(sql`
      SELECT count() AS gpus, countIf(u >= 0.1) AS busy
      FROM (SELECT host, gpu_uuid, argMax(last_util_ratio, toUInt64(last_ts) * 1000 + last_ts_ms) AS u
        FROM ${s.rows('gpu_latest', sql`last_ts >= ${latestSince} AND last_ts <= ${now}`)} GROUP BY host, gpu_uuid)`),
    s.query<{ util_avg: Num; busy_samples: Num; thermal_busy_samples: Num }>(sql`
      SELECT ${gpuAggs(r.resolution, ['util_avg', 'busy_samples', 'thermal_busy_samples'])} FROM ${s.rows(r.table('gpu_host'), inRange)}`),
    s.query<{ jobs: Num; jobs_ok: Num; images: Num; ooms: Num }>(sql`
      SELECT ${jobAggs(r.resolution, ['jobs', 'jobs_ok', 'images', 'ooms'])} FROM ${s.rows(r.table('jobs_host'), sql`${inRange} AND ${jobKindsFilter(r.resolution)}`)}`),
  ]);
  const h = hosts[0];
  const l = latest[0];
  const g = gpu[0];
  const j = jobs[0];
  const minutes = (r.to.getTime() - r.from.getTime()) / 60_000;
  const busy = n0(g?.busy_samples ?? null);
  const images = n0(j?.images ?? null);
  return {
    hosts_total: n0(h?.total ?? null),
    hosts_up: n0(h?.up ?? null),
    hosts_silent: n0(h?.total ?? null) - n0(h?.up ?? null),
    gpus_total: n0(l?.gpus ?? null),
    gpus_busy: n0(l?.busy ?? null),
    images,
    images_per_min: minutes > 0 ? images / minutes : 0,
    jobs: n0(j?.jobs ?? null),
    jobs_ok: n0(j?.jobs_ok ?? null),
    ooms: n0(j?.ooms ?? null),
    thermal_throttle_share: busy > 0 ? n0(g?.thermal_busy_samples ?? null) / busy : null,
    utilization_ratio: numOrNull(g?.util_avg ?? null),
  };
}

/** The bucket axis of a range: first bucket start (ms) and the number of buckets. Pure. */
export function bucketAxis(r: Pick<ResolvedRange, 'from' | 'to' | 'stepS'>): { first: number; count: number; times: string[] } {
  const step = r.stepS * 1000;
  const first = Math.floor(r.from.getTime() / step) * step;
  const count = Math.ceil((r.to.getTime() - first) / step);
  return { first, count, times: Array.from({ length: count }, (_, i) => new Date(first + i * step).toISOString()) };
}

/** Values at bucket indexes into an array of `count` (null where absent). Pure. */
export function alignValues(count: number, idx: readonly (number | string)[], vals: readonly Num[]): (number | null)[] {
  const values: (number | null)[] = Array.from({ length: count }, () => null);
  idx.forEach((i, k) => {
    const at = Number(i);
    if (at >= 0 && at < count) values[at] = numOrNull(vals[k] ?? null);
  });
  return values;
}

/**
 * One row per host with its buckets as arrays (168k JSON objects for 1,000 hosts x 7 days otherwise).
 * `hosts` narrows to the given host subquery/filter (a fragment over `host`).
 */
export async function queryHeatmap(s: TenantScope, r: ResolvedRange, hosts?: SqlFragment): Promise<Pick<HeatmapResponse, 'times' | 'rows'>> {
  const tc = timeCol(r.resolution);
  const { first, count, times } = bucketAxis(r);
  const hostFilter = hosts === undefined ? raw('') : sql` AND ${hosts}`;
  const rows = await s.query<{ host: string; idx: (number | string)[]; vals: Num[] }>(sql`
    SELECT host, groupArray(i) AS idx, groupArray(v) AS vals FROM (
      SELECT host, intDiv(toUInt32(${tc}) - ${Math.floor(first / 1000)}, ${r.stepS}) AS i, round(${gpuExpr(r.resolution, 'util_avg')}, 4) AS v
      FROM ${s.rows(r.table('gpu_host'), sql`${tc} >= ${r.from} AND ${tc} < ${r.to}${hostFilter}`)}
      GROUP BY host, i)
    GROUP BY host ORDER BY host`);
  return { times, rows: rows.map((row) => ({ host: row.host, values: alignValues(count, row.idx, row.vals) })) };
}
