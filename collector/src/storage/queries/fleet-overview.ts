// Fleet overview tiles and the hosts × time utilization heatmap.
import type { FleetSummaryResponse, HeatmapResponse } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../ingest/time.js';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { sql } from '../sql.js';
import { bucket, gpuAggs, jobAggs, jobKindsFilter, numOrNull, timeCol } from './aggregates.js';

type Num = number | string | null;
const n0 = (v: Num): number => numOrNull(v) ?? 0;

export async function queryFleetSummary(s: TenantScope, r: ResolvedRange, nowMs: number, silentAfterS: number): Promise<Omit<FleetSummaryResponse, 'from' | 'to' | 'step_s' | 'resolution'>> {
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
      FROM (SELECT host, gpu_uuid, argMax(util_ratio, ts) AS u FROM ${s.rows('gpu_samples', sql`ts >= ${latestSince} AND ts <= ${now}`)} GROUP BY host, gpu_uuid)`),
    s.query<{ util_avg: Num; busy_samples: Num; thermal_busy_samples: Num }>(sql`
      SELECT ${gpuAggs(r.resolution, ['util_avg', 'busy_samples', 'thermal_busy_samples'])} FROM ${s.rows(r.table('gpu_host'), inRange)}`),
    s.query<{ jobs: Num; jobs_ok: Num; images: Num; ooms: Num }>(sql`
      SELECT ${jobAggs(r.resolution, ['jobs', 'jobs_ok', 'images', 'ooms'])} FROM ${s.rows(r.table('jobs'), sql`${inRange} AND ${jobKindsFilter(r.resolution)}`)}`),
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

export async function queryHeatmap(s: TenantScope, r: ResolvedRange): Promise<Pick<HeatmapResponse, 'times' | 'rows'>> {
  const tc = timeCol(r.resolution);
  const rows = await s.query<{ host: string; b: string; util_avg: Num }>(sql`
    SELECT host, toString(${bucket(r.resolution, r.stepS)}) AS b, ${gpuAggs(r.resolution, ['util_avg'])}
    FROM ${s.rows(r.table('gpu_host'), sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`)}
    GROUP BY host, b ORDER BY host, b`);
  const step = r.stepS * 1000;
  const first = Math.floor(r.from.getTime() / step) * step;
  const count = Math.ceil((r.to.getTime() - first) / step);
  const times = Array.from({ length: count }, (_, i) => new Date(first + i * step).toISOString());
  const byHost = new Map<string, (number | null)[]>();
  for (const row of rows) {
    let values = byHost.get(row.host);
    if (values === undefined) {
      values = Array.from({ length: count }, () => null);
      byHost.set(row.host, values);
    }
    const i = Math.round((Date.parse(chDateTimeToIso(row.b)) - first) / step);
    if (i >= 0 && i < count) values[i] = numOrNull(row.util_avg);
  }
  return { times, rows: [...byHost].map(([host, values]) => ({ host, values })) };
}
