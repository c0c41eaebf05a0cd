// Queries behind GET /api/v1/fleet and /api/v1/fleet/utilization. Tenant first in every WHERE.
import { decodeClockEventReasons, type FleetHost, type UtilizationResponse } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../domain/time.js';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { joinSql, sql, type SqlFragment } from '../sql.js';
import { gpuExpr, numOrNull, timeCol } from './aggregates.js';
import { alignValues, bucketAxis, queryHeatmap } from './fleet-overview.js';

type Num = number | string | null;

interface LatestGpuRow {
  host: string;
  gpu_uuid: string;
  gpu_index: number;
  gpu_name: string;
  util_ratio: number | null;
  mem_used_bytes: string | null;
  mem_total_bytes: string | null;
  temp_celsius: number | null;
  power_draw_watts: number | null;
  clock_event_reasons: string | null;
  last_ts: string;
}

interface HostRow {
  host: string;
  agent: string;
  driver: string;
  agent_ver: string;
  seen: string;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** Latest values per GPU from gpu_latest (migration 0009: one row per GPU, newest kept by its view); at most `maxGpus` per host (COLLECTOR_MAX_GPUS_PER_HOST). */
function latestGpus(s: TenantScope, where: SqlFragment, maxGpus: number): Promise<LatestGpuRow[]> {
  return s.query<LatestGpuRow>(sql`
    SELECT host, gpu_uuid,
      argMax(last_gpu_index, k) AS gpu_index, argMax(last_gpu_name, k) AS gpu_name,
      argMax(last_util_ratio, k) AS util_ratio, argMax(last_mem_used_bytes, k) AS mem_used_bytes,
      argMax(last_mem_total_bytes, k) AS mem_total_bytes, argMax(last_temp_celsius, k) AS temp_celsius,
      argMax(last_power_draw_watts, k) AS power_draw_watts, argMax(last_clock_event_reasons, k) AS clock_event_reasons,
      toString(max(last_ts)) AS last_ts
    FROM (SELECT *, toUInt64(last_ts) * 1000 + last_ts_ms AS k FROM ${s.rows('gpu_latest', where)})
    GROUP BY host, gpu_uuid
    ORDER BY host, gpu_index, last_ts DESC
    LIMIT ${maxGpus} BY host`);
}

/**
 * Hosts seen in the last `lookbackS` seconds with the latest values of each of their GPUs. Latest
 * values are read from the last `recentS` (or 2 × silentAfterS) of raw samples; only hosts without a sample there (silent
 * ones) are looked up over the whole lookback, by host (a sort-key prefix), so the common case never
 * scans a day of raw rows.
 */
export async function queryFleet(
  s: TenantScope,
  now: Date,
  silentAfterS: number,
  maxGpusPerHost: number,
  lookbackS = 86_400,
  recentS = 120,
  maxFallbackHosts = 100,
): Promise<FleetHost[]> {
  const since = new Date(now.getTime() - lookbackS * 1000);
  const recent = new Date(now.getTime() - Math.max(recentS, 2 * silentAfterS) * 1000);
  const [recentGpus, hosts] = await Promise.all([
    latestGpus(s, sql`last_ts >= ${recent}`, maxGpusPerHost),
    s.query<HostRow>(sql`
      SELECT host, argMax(agent_id, last_seen) AS agent, argMax(driver_version, last_seen) AS driver,
        argMax(agent_version, last_seen) AS agent_ver, toString(max(last_seen)) AS seen
      FROM ${s.rows('hosts', sql`last_seen >= ${since}`)}
      GROUP BY host ORDER BY host`),
  ]);
  const seen = new Set(recentGpus.map((g) => g.host));
  // Silent hosts: their last values, by host; past `maxFallbackHosts` they are listed without GPUs.
  const missing = hosts
    .map((h) => h.host)
    .filter((h) => !seen.has(h))
    .slice(0, maxFallbackHosts);
  const older =
    missing.length === 0
      ? []
      : await latestGpus(
          s,
          sql`host IN (${joinSql(
            missing.map((h) => sql`${h}`),
            ', ',
          )}) AND last_ts >= ${since} AND last_ts < ${recent}`,
          maxGpusPerHost,
        );
  const gpus = [...recentGpus, ...older];
  const byHost = new Map<string, LatestGpuRow[]>();
  for (const g of gpus) {
    const list = byHost.get(g.host) ?? [];
    list.push(g);
    byHost.set(g.host, list);
  }
  return hosts.map((h) => {
    const lastSeen = chDateTimeToIso(h.seen);
    return {
      host: h.host,
      agent_id: h.agent,
      driver_version: h.driver,
      agent_version: h.agent_ver,
      last_seen: lastSeen,
      silent: now.getTime() - Date.parse(lastSeen) > silentAfterS * 1000,
      gpus: (byHost.get(h.host) ?? []).map((g) => ({
        index: Number(g.gpu_index),
        uuid: g.gpu_uuid,
        name: g.gpu_name,
        utilization_ratio: num(g.util_ratio),
        memory_used_bytes: num(g.mem_used_bytes),
        memory_total_bytes: num(g.mem_total_bytes),
        temperature_celsius: num(g.temp_celsius),
        power_draw_watts: num(g.power_draw_watts),
        clock_event_reasons: g.clock_event_reasons === null ? [] : decodeClockEventReasons(Number(g.clock_event_reasons)),
        last_seen: chDateTimeToIso(g.last_ts),
      })),
    };
  });
}

/**
 * Fleet utilization over time, bounded: per bucket the mean over reporting hosts of each host's mean
 * GPU utilization and VRAM used ÷ total (one row per bucket from ClickHouse), and the per-host
 * utilization rows of the first `hostsLimit` hosts by name (the fleet page draws at most 60).
 */
export async function queryUtilization(
  s: TenantScope,
  r: ResolvedRange,
  host: string | undefined,
  hostsLimit: number,
): Promise<Omit<UtilizationResponse, 'from' | 'to' | 'step_s' | 'resolution'>> {
  const tc = timeCol(r.resolution);
  const { first, count, times } = bucketAxis(r);
  const where = sql`${tc} >= ${r.from} AND ${tc} < ${r.to}${host === undefined ? sql`` : sql` AND host = ${host}`}`;
  const [series, total, rows] = await Promise.all([
    s.query<{ i: number | string; u: Num; m: Num; n: Num }>(sql`
      SELECT i, round(avg(u), 4) AS u, round(avg(m), 4) AS m, count() AS n FROM (
        SELECT host, intDiv(toUInt32(${tc}) - ${Math.floor(first / 1000)}, ${r.stepS}) AS i,
          if(isFinite(${gpuExpr(r.resolution, 'util_avg')}), ${gpuExpr(r.resolution, 'util_avg')}, NULL) AS u,
          if(${gpuExpr(r.resolution, 'mem_total_max')} > 0, ${gpuExpr(r.resolution, 'mem_used_avg')} / ${gpuExpr(r.resolution, 'mem_total_max')}, NULL) AS m
        FROM ${s.rows(r.table('gpu_host'), where)}
        GROUP BY host, i)
      GROUP BY i ORDER BY i`),
    s.query<{ hosts: Num }>(sql`SELECT uniqExact(host) AS hosts FROM ${s.rows(r.table('gpu_host'), where)}`),
    hostsLimit === 0
      ? Promise.resolve({ times, rows: [] })
      : queryHeatmap(s, r, sql`host IN (SELECT host FROM ${s.rows(r.table('gpu_host'), where)} GROUP BY host ORDER BY host LIMIT ${hostsLimit})`),
  ]);
  const idx = series.map((x) => x.i);
  return {
    times,
    utilization_ratio: alignValues(
      count,
      idx,
      series.map((x) => x.u),
    ),
    memory_used_ratio: alignValues(
      count,
      idx,
      series.map((x) => x.m),
    ),
    hosts_reporting: alignValues(
      count,
      idx,
      series.map((x) => x.n),
    ).map((n) => n ?? 0),
    hosts_total: numOrNull(total[0]?.hosts ?? null) ?? 0,
    hosts: rows.rows.map((x) => ({ host: x.host, utilization_ratio: x.values })),
  };
}
