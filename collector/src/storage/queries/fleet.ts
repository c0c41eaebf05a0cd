// Queries behind GET /api/v1/fleet and /api/v1/fleet/utilization. Tenant first in every WHERE.
import { decodeClockEventReasons, type FleetHost, type UtilizationPoint } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../ingest/time.js';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { joinSql, sql, type SqlFragment } from '../sql.js';
import { bucket, gpuAggs, numOrNull, timeCol } from './aggregates.js';

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

function latestGpus(s: TenantScope, where: SqlFragment): Promise<LatestGpuRow[]> {
  return s.query<LatestGpuRow>(sql`
    SELECT host, gpu_uuid,
      argMax(gpu_index, k) AS gpu_index, argMax(gpu_name, k) AS gpu_name,
      argMax(util_ratio, k) AS util_ratio, argMax(mem_used_bytes, k) AS mem_used_bytes,
      argMax(mem_total_bytes, k) AS mem_total_bytes, argMax(temp_celsius, k) AS temp_celsius,
      argMax(power_draw_watts, k) AS power_draw_watts, argMax(clock_event_reasons, k) AS clock_event_reasons,
      toString(max(ts)) AS last_ts
    FROM (SELECT *, toUInt64(ts) * 1000 + ts_ms AS k FROM ${s.rows('gpu_samples', where)})
    GROUP BY host, gpu_uuid
    ORDER BY host, gpu_index`);
}

/**
 * Hosts seen in the last `lookbackS` seconds with the latest values of each of their GPUs. Latest
 * values are read from the last `recentS` (or 2 × silentAfterS) of raw samples; only hosts without a sample there (silent
 * ones) are looked up over the whole lookback, by host (a sort-key prefix), so the common case never
 * scans a day of raw rows.
 */
export async function queryFleet(s: TenantScope, now: Date, silentAfterS: number, lookbackS = 86_400, recentS = 120, maxFallbackHosts = 100): Promise<FleetHost[]> {
  const since = new Date(now.getTime() - lookbackS * 1000);
  const recent = new Date(now.getTime() - Math.max(recentS, 2 * silentAfterS) * 1000);
  const [recentGpus, hosts] = await Promise.all([
    latestGpus(s, sql`ts >= ${recent}`),
    s.query<HostRow>(sql`
      SELECT host, argMax(agent_id, last_seen) AS agent, argMax(driver_version, last_seen) AS driver,
        argMax(agent_version, last_seen) AS agent_ver, toString(max(last_seen)) AS seen
      FROM ${s.rows('hosts', sql`last_seen >= ${since}`)}
      GROUP BY host ORDER BY host`),
  ]);
  const seen = new Set(recentGpus.map((g) => g.host));
  // Silent hosts: their last values, by host; past `maxFallbackHosts` they are listed without GPUs.
  const missing = hosts.map((h) => h.host).filter((h) => !seen.has(h)).slice(0, maxFallbackHosts);
  const older = missing.length === 0 ? [] : await latestGpus(s, sql`host IN (${joinSql(missing.map((h) => sql`${h}`), ', ')}) AND ts >= ${since} AND ts < ${recent}`);
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

interface UtilRow {
  t: string;
  host: string;
  util_avg: number | null;
  mem_used_avg: number | string | null;
  mem_total_max: number | string | null;
}

/** Mean GPU utilization and VRAM use per host per step, from the table the resolution picked. */
export async function queryUtilization(s: TenantScope, r: ResolvedRange, host?: string): Promise<UtilizationPoint[]> {
  const tc = timeCol(r.resolution);
  const hostFilter = host === undefined ? sql`` : sql` AND host = ${host}`;
  const rows = await s.query<UtilRow>(sql`
    SELECT toString(${bucket(r.resolution, r.stepS)}) AS t, host, ${gpuAggs(r.resolution, ['util_avg', 'mem_used_avg', 'mem_total_max'])}
    FROM ${s.rows(r.table('gpu_host'), sql`${tc} >= ${r.from} AND ${tc} < ${r.to}${hostFilter}`)}
    GROUP BY t, host ORDER BY t, host`);
  return rows.map((x) => {
    const used = numOrNull(x.mem_used_avg);
    const total = numOrNull(x.mem_total_max);
    return {
      t: chDateTimeToIso(x.t),
      host: x.host,
      utilization_ratio: numOrNull(x.util_avg),
      memory_used_ratio: used === null || total === null || total === 0 ? null : used / total,
    };
  });
}
