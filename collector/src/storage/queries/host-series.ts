// Host/GPU detail: per-GPU time series, host series, throttle bands, event markers, processes.
import {
  RUNTIME_EVENT_KINDS,
  type EventMarker,
  type GpuProcessRow,
  type GpuSeries,
  type GpuSeriesPoint,
  type HostSeriesPoint,
  type RuntimeEventKind,
  type ThrottleBand,
} from '@renderwatch/schema';
import { chDateTimeToIso } from '../../domain/time.js';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql } from '../sql.js';
import { bucket, gpuAggs, hostAggs, numOrNull, timeCol } from './aggregates.js';

type Num = number | string | null;

interface GpuRow {
  gpu_uuid: string;
  gpu_index: Num;
  gpu_name: string;
  b: string;
  samples: Num;
  util_avg: Num;
  util_max: Num;
  mem_used_avg: Num;
  mem_used_max: Num;
  mem_total_max: Num;
  temp_avg: Num;
  temp_max: Num;
  power_avg: Num;
  sm_clock_avg: Num;
  mem_clock_avg: Num;
  thermal_samples: Num;
  power_samples: Num;
  hw_slowdown_samples: Num;
}

/** Rounded for the wire: ratios to 4 decimals, bytes to whole bytes, degrees/watts/MHz to 1 decimal. */
const round = (v: Num, digits: number): number | null => {
  const n = numOrNull(v);
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
const ratio = (v: Num): number | null => round(v, 4);
const bytes = (v: Num): number | null => round(v, 0);
const unit = (v: Num): number | null => round(v, 1);
const share = (part: Num, all: Num): number | null => {
  const a = numOrNull(all);
  return a === null || a === 0 ? null : ratio((numOrNull(part) ?? 0) / a);
};

export async function queryGpuSeries(s: TenantScope, r: ResolvedRange, host: string, maxGpus: number, gpuUuid?: string): Promise<GpuSeries[]> {
  const tc = timeCol(r.resolution);
  const gpuFilter = gpuUuid === undefined ? raw('') : sql` AND gpu_uuid = ${gpuUuid}`;
  // At most `maxGpus` series per host (COLLECTOR_MAX_GPUS_PER_HOST; the lowest indexes): a host cannot make the answer unbounded.
  const firstGpus = sql`SELECT gpu_uuid FROM ${s.rows(r.table('gpu'), sql`host = ${host}${gpuFilter} AND ${tc} >= ${r.from} AND ${tc} < ${r.to}`)} GROUP BY gpu_uuid ORDER BY min(gpu_index), gpu_uuid LIMIT ${maxGpus}`;
  const rows = await s.query<GpuRow>(sql`
    SELECT gpu_uuid, any(gpu_index) AS gpu_index, any(gpu_name) AS gpu_name, toString(${bucket(r.resolution, r.stepS)}) AS b,
      ${gpuAggs(r.resolution, ['samples', 'util_avg', 'util_max', 'mem_used_avg', 'mem_used_max', 'mem_total_max', 'temp_avg', 'temp_max', 'power_avg', 'sm_clock_avg', 'mem_clock_avg', 'thermal_samples', 'power_samples', 'hw_slowdown_samples'])}
    FROM ${s.rows(r.table('gpu'), sql`host = ${host}${gpuFilter} AND ${tc} >= ${r.from} AND ${tc} < ${r.to} AND gpu_uuid IN (${firstGpus})`, { prewhere: sql`host = ${host}` })}
    GROUP BY gpu_uuid, b ORDER BY gpu_uuid, b`);
  const out = new Map<string, GpuSeries>();
  for (const row of rows) {
    let g = out.get(row.gpu_uuid);
    if (g === undefined) {
      g = { uuid: row.gpu_uuid, index: numOrNull(row.gpu_index) ?? 0, name: row.gpu_name, points: [] };
      out.set(row.gpu_uuid, g);
    }
    const p: GpuSeriesPoint = {
      t: chDateTimeToIso(row.b),
      utilization_ratio: ratio(row.util_avg),
      utilization_max_ratio: ratio(row.util_max),
      memory_used_bytes: bytes(row.mem_used_avg),
      memory_used_max_bytes: bytes(row.mem_used_max),
      memory_total_bytes: bytes(row.mem_total_max),
      temperature_celsius: unit(row.temp_avg),
      temperature_max_celsius: unit(row.temp_max),
      power_draw_watts: unit(row.power_avg),
      sm_clock_mhz: unit(row.sm_clock_avg),
      mem_clock_mhz: unit(row.mem_clock_avg),
      thermal_share: share(row.thermal_samples, row.samples),
      power_share: share(row.power_samples, row.samples),
      hw_slowdown_share: share(row.hw_slowdown_samples, row.samples),
    };
    g.points.push(p);
  }
  return [...out.values()].sort((a, b) => a.index - b.index);
}

const BAND_FIELDS = { thermal: 'thermal_share', power: 'power_share', hw_slowdown: 'hw_slowdown_share' } as const;

/** Runs of consecutive buckets where a reason's share is above zero. Pure. */
export function throttleBands(gpus: readonly GpuSeries[], stepS: number): ThrottleBand[] {
  const bands: ThrottleBand[] = [];
  for (const g of gpus) {
    for (const [reason, field] of Object.entries(BAND_FIELDS) as [ThrottleBand['reason'], (typeof BAND_FIELDS)[keyof typeof BAND_FIELDS]][]) {
      let open: ThrottleBand | undefined;
      let lastEnd = -1;
      for (const p of g.points) {
        const v = p[field] ?? 0;
        const start = Date.parse(p.t);
        const end = new Date(start + stepS * 1000).toISOString();
        if (v > 0 && open !== undefined && start === lastEnd) {
          open.to = end;
          open.peak_share = Math.max(open.peak_share, v);
        } else if (v > 0) {
          if (open !== undefined) bands.push(open);
          open = { gpu_uuid: g.uuid, reason, from: p.t, to: end, peak_share: v };
        } else if (open !== undefined) {
          bands.push(open);
          open = undefined;
        }
        lastEnd = start + stepS * 1000;
      }
      if (open !== undefined) bands.push(open);
    }
  }
  return bands;
}

export async function queryHostPoints(s: TenantScope, r: ResolvedRange, host: string): Promise<HostSeriesPoint[]> {
  const tc = timeCol(r.resolution);
  const rows = await s.query<Record<string, Num> & { b: string }>(sql`
    SELECT toString(${bucket(r.resolution, r.stepS)}) AS b, ${hostAggs(r.resolution, ['cpu_avg', 'mem_used_avg', 'disk_read_avg', 'disk_write_avg', 'net_rx_avg', 'net_tx_avg'])}
    FROM ${s.rows(r.table('host'), sql`host = ${host} AND ${tc} >= ${r.from} AND ${tc} < ${r.to}`, { prewhere: sql`host = ${host}` })}
    GROUP BY b ORDER BY b`);
  return rows.map((x) => ({
    t: chDateTimeToIso(x.b),
    cpu_ratio: ratio(x['cpu_avg'] ?? null),
    memory_used_bytes: bytes(x['mem_used_avg'] ?? null),
    disk_read_bytes_per_s: bytes(x['disk_read_avg'] ?? null),
    disk_write_bytes_per_s: bytes(x['disk_write_avg'] ?? null),
    net_rx_bytes_per_s: bytes(x['net_rx_avg'] ?? null),
    net_tx_bytes_per_s: bytes(x['net_tx_avg'] ?? null),
  }));
}

interface MarkerRow {
  ts: string;
  kind: string;
  runtime: string;
  gpu_index: Num;
  model: string;
  outcome: string;
  cause: string;
  error_type: string;
  source: string;
  version: string;
  duration_s: Num;
  images: Num;
  startup_s: Num;
}

/** Seconds as a label shows them: at most two decimals (18.16 reads 2.78 from JSON as 2.7800000000000002). */
const secs = (x: number): string => String(Math.round(x * 100) / 100);

function label(m: MarkerRow): string {
  const n = numOrNull(m.duration_s);
  const d = n === null ? null : secs(n);
  switch (m.kind) {
    case 'job_end':
      return `job ${m.outcome || '?'}${m.model ? ` ${m.model}` : ''}${d === null ? '' : ` ${d}s`}${numOrNull(m.images) ? ` ${m.images} img` : ''}`;
    case 'oom':
      return `OOM${m.cause ? ` (${m.cause})` : ''}`;
    case 'model_load':
      return `load ${m.model} from ${m.source || '?'}${d === null ? '' : ` ${d}s`}`;
    case 'runtime_start':
      return `start ${m.runtime}${m.version ? ` ${m.version}` : ''}`;
    case 'runtime_ready':
      return `ready${numOrNull(m.startup_s) === null ? '' : ` after ${secs(numOrNull(m.startup_s) ?? 0)}s`}`;
    case 'error':
      return `error ${m.error_type}`;
    default:
      return m.kind;
  }
}

const CHATTY_KINDS: readonly string[] = ['progress', 'queue', 'job_start', 'node_cache', 'training_progress'];
/** The kinds drawn as markers, listed (not `NOT IN`) so the sort key (tenant, kind, host, ts) narrows to this host. */
const MARKER_KINDS = RUNTIME_EVENT_KINDS.filter((k) => !CHATTY_KINDS.includes(k));
/** Lower bounds tried newest first: a busy host fills the list from its last hour or day alone. */
const MARKER_WINDOWS_S = [3600, 86_400, 7 * 86_400];

/** Markers: every kind but the chatty ones; newest `limit`. */
export async function queryMarkers(s: TenantScope, r: ResolvedRange, host: string, limit = 500): Promise<{ markers: EventMarker[]; truncated: boolean }> {
  const starts = [...MARKER_WINDOWS_S.map((w) => new Date(r.to.getTime() - w * 1000)).filter((d) => d > r.from), r.from];
  let rows: MarkerRow[] = [];
  for (const from of starts) {
    rows = await s.query<MarkerRow>(sql`
      SELECT toString(ts) AS ts, kind, runtime, gpu_index, model, outcome, cause, error_type, source, version, duration_s, images, startup_s
      FROM ${s.rows(
        'runtime_events',
        sql`kind IN (${joinSql(
          MARKER_KINDS.map((k) => sql`${k}`),
          ', ',
        )}) AND host = ${host} AND ts >= ${from} AND ts < ${r.to}`,
      )}
      ORDER BY ts DESC, ts_ms DESC, kind, gpu_index LIMIT ${limit + 1}`);
    if (rows.length > limit) break;
  }
  const markers = rows
    .slice(0, limit)
    .reverse()
    .map((m) => ({
      ts: chDateTimeToIso(m.ts),
      kind: m.kind as RuntimeEventKind,
      runtime: m.runtime,
      gpu_index: numOrNull(m.gpu_index),
      label: label(m),
    }));
  return { markers, truncated: rows.length > limit };
}

/** Processes of the latest sample of each GPU of the host (at most `maxGpus` GPUs), within the last `lookbackS` before `to`. */
export async function queryProcesses(s: TenantScope, host: string, to: Date, maxGpus: number, lookbackS = 600): Promise<GpuProcessRow[]> {
  const since = new Date(to.getTime() - lookbackS * 1000);
  const rows = await s.query<{ gpu_uuid: string; gpu_index: Num; pid: Num; name: string; runtime: string; mem: Num }>(sql`
    SELECT gpu_uuid, gpu_index, pid, name, runtime, mem FROM (
      SELECT gpu_uuid, argMax(gpu_index, k) AS gpu_index, argMax(process_pids, k) AS pids, argMax(process_names, k) AS names,
        argMax(process_runtimes, k) AS runtimes, argMax(process_mem_bytes, k) AS mems
      FROM (SELECT gpu_uuid, gpu_index, process_pids, process_names, process_runtimes, process_mem_bytes, toUInt64(ts) * 1000 + ts_ms AS k
        FROM ${s.rows('gpu_samples', sql`host = ${host} AND ts >= ${since} AND ts <= ${to}`)})
      GROUP BY gpu_uuid ORDER BY gpu_index, gpu_uuid LIMIT ${maxGpus})
    ARRAY JOIN pids AS pid, names AS name, runtimes AS runtime, mems AS mem
    ORDER BY gpu_index, pid`);
  return rows.map((p) => ({
    gpu_uuid: p.gpu_uuid,
    gpu_index: numOrNull(p.gpu_index) ?? 0,
    pid: numOrNull(p.pid) ?? 0,
    name: p.name,
    runtime: p.runtime,
    used_memory_bytes: numOrNull(p.mem) ?? 0,
  }));
}
