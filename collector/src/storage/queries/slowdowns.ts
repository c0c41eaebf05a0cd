// Slowdowns: per host, images/min in the range against the host's own baseline, with the signals
// that usually explain a drop, each computed over the same two windows. Model downloads come from
// the raw model_download events (rare: a few per start at most).
import type { SlowdownHost, SlowdownReason, SlowdownWindow } from '@renderwatch/schema';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { raw, sql, type SqlFragment } from '../sql.js';
import { gpuAggs, hostAggs, jobAggs, jobKindsFilter, numOrNull, timeCol } from './aggregates.js';

type Num = number | string | null;

/**
 * Model loads that missed the cache: read from local disk, downloaded, or read from a network or
 * remote volume (the agent's LOAD_RULES sources `disk`, `download`, `network`). The rollups count
 * disk loads since 0006 and download + network loads since 0027 (model_loads_remote).
 */
const REMOTE_LOADS_RAW = "countIf(kind = 'model_load' AND source IN ('download', 'network'))";
const remoteLoads = (r: ResolvedRange): SqlFragment =>
  raw(`${r.resolution === 'raw' ? REMOTE_LOADS_RAW : 'countIfMerge(model_loads_remote)'} AS model_loads_remote`);

/** Share of model loads that missed the cache (disk + download + network ÷ all loads); null without loads. */
export function cacheMissRatio(loads: number, disk: number, remote: number): number | null {
  return loads > 0 ? (disk + remote) / loads : null;
}

async function windowStats(s: TenantScope, r: ResolvedRange): Promise<Map<string, SlowdownWindow>> {
  const tc = timeCol(r.resolution);
  const inRange = sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`;
  const [jobs, gpus, hosts, downloads] = await Promise.all([
    s.query<{ host: string; images: Num; model_loads: Num; model_loads_disk: Num; model_loads_remote: Num }>(sql`
      SELECT host, ${jobAggs(r.resolution, ['images', 'model_loads', 'model_loads_disk'])}, ${remoteLoads(r)}
      FROM ${s.rows(r.table('jobs_host'), sql`${inRange} AND ${jobKindsFilter(r.resolution)}`)} GROUP BY host`),
    s.query<{ host: string; samples: Num; busy_samples: Num; thermal_busy_samples: Num; power_busy_samples: Num; other_process_samples: Num }>(sql`
      SELECT host, ${gpuAggs(r.resolution, ['samples', 'busy_samples', 'thermal_busy_samples', 'power_busy_samples', 'other_process_samples'])}
      FROM ${s.rows(r.table('gpu_host'), inRange)} GROUP BY host`),
    s.query<{ host: string; disk_read_avg: Num; net_rx_avg: Num }>(sql`
      SELECT host, ${hostAggs(r.resolution, ['disk_read_avg', 'net_rx_avg'])} FROM ${s.rows(r.table('host'), inRange)} GROUP BY host`),
    s.query<{ host: string; n: Num; seconds: Num; sized_bytes: Num; sized_s: Num }>(sql`
      SELECT host, count() AS n, sum(ifNull(duration_s, 0)) AS seconds,
        sumIf(bytes, isNotNull(bytes) AND duration_s > 0) AS sized_bytes, sumIf(duration_s, isNotNull(bytes) AND duration_s > 0) AS sized_s
      FROM ${s.rows('runtime_events', sql`ts >= ${r.from} AND ts < ${r.to}`, { prewhere: sql`kind = 'model_download'` })} GROUP BY host`),
  ]);
  const minutes = (r.to.getTime() - r.from.getTime()) / 60_000;
  const out = new Map<string, SlowdownWindow>();
  const get = (h: string): SlowdownWindow => {
    let w = out.get(h);
    if (w === undefined) {
      w = {
        images_per_min: 0,
        thermal_share: null,
        power_share: null,
        cache_miss_ratio: null,
        other_process_share: null,
        disk_read_bytes_per_s: null,
        net_rx_bytes_per_s: null,
        model_downloads: 0,
        model_download_s: 0,
        model_download_bytes_per_s: null,
      };
      out.set(h, w);
    }
    return w;
  };
  for (const j of jobs) {
    const w = get(j.host);
    w.images_per_min = (numOrNull(j.images) ?? 0) / minutes;
    w.cache_miss_ratio = cacheMissRatio(numOrNull(j.model_loads) ?? 0, numOrNull(j.model_loads_disk) ?? 0, numOrNull(j.model_loads_remote) ?? 0);
  }
  for (const g of gpus) {
    const w = get(g.host);
    const busy = numOrNull(g.busy_samples) ?? 0;
    const all = numOrNull(g.samples) ?? 0;
    w.thermal_share = busy > 0 ? (numOrNull(g.thermal_busy_samples) ?? 0) / busy : null;
    w.power_share = busy > 0 ? (numOrNull(g.power_busy_samples) ?? 0) / busy : null;
    w.other_process_share = all > 0 ? (numOrNull(g.other_process_samples) ?? 0) / all : null;
  }
  for (const h of hosts) {
    const w = get(h.host);
    w.disk_read_bytes_per_s = numOrNull(h.disk_read_avg);
    w.net_rx_bytes_per_s = numOrNull(h.net_rx_avg);
  }
  for (const d of downloads) {
    const w = get(d.host);
    w.model_downloads = numOrNull(d.n) ?? 0;
    w.model_download_s = numOrNull(d.seconds) ?? 0;
    const sizedS = numOrNull(d.sized_s) ?? 0;
    w.model_download_bytes_per_s = sizedS > 0 ? (numOrNull(d.sized_bytes) ?? 0) / sizedS : null;
  }
  return out;
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** A window spent at least this share of its time downloading models: a named cause. */
export const DOWNLOAD_SHARE_MIN = 0.01;

/**
 * Likely reasons, strongest first: a signal that got clearly worse than its baseline; model
 * downloads whenever they took at least 1% of the window (weighted by that share). Pure.
 */
export function slowdownReasons(cur: SlowdownWindow, base: SlowdownWindow, windowS = 0): SlowdownHost['reasons'] {
  const out: { reason: SlowdownReason; detail: string; weight: number }[] = [];
  const dlS = cur.model_download_s ?? 0;
  if (windowS > 0 && dlS / windowS >= DOWNLOAD_SHARE_MIN) {
    const rate = cur.model_download_bytes_per_s ?? null;
    const speed = rate === null ? ' (size not reported)' : ` at ${Math.round((rate / 1e6) * 10) / 10} MB/s`;
    const n = cur.model_downloads ?? 0;
    out.push({
      reason: 'model_download',
      detail: `model download: ${n} download${n === 1 ? '' : 's'}${speed}, ${Math.round(dlS)} s downloading (${pct(dlS / windowS)} of the window)`,
      weight: dlS / windowS,
    });
  }
  const up = (reason: SlowdownReason, c: number | null, b: number | null, min: number, what: string): void => {
    if (c === null || c < min) return;
    const bb = b ?? 0;
    if (c > bb * 1.5 + 0.01) out.push({ reason, detail: `${what} ${pct(c)} vs ${pct(bb)} in the baseline`, weight: c - bb });
  };
  up('thermal_throttle', cur.thermal_share, base.thermal_share, 0.02, 'busy time thermally throttled');
  up('power_cap', cur.power_share, base.power_share, 0.02, 'busy time power-capped');
  up('model_cache_misses', cur.cache_miss_ratio, base.cache_miss_ratio, 0.05, 'model loads from disk, download or network');
  up('other_gpu_processes', cur.other_process_share, base.other_process_share, 0.02, 'samples with a non-runtime process on the GPU');
  const down = (reason: SlowdownReason, c: number | null, b: number | null, what: string): void => {
    if (c === null || b === null || b <= 0) return;
    if (c < b * 0.6) out.push({ reason, detail: `${what} ${Math.round(c / 1e6)} MB/s vs ${Math.round(b / 1e6)} MB/s in the baseline`, weight: 1 - c / b });
  };
  down('slow_disk', cur.disk_read_bytes_per_s, base.disk_read_bytes_per_s, 'disk read');
  down('slow_network', cur.net_rx_bytes_per_s, base.net_rx_bytes_per_s, 'network receive');
  return out.sort((a, b) => b.weight - a.weight).map(({ reason, detail }) => ({ reason, detail }));
}

export async function querySlowdowns(s: TenantScope, current: ResolvedRange, baseline: ResolvedRange, limit: number): Promise<SlowdownHost[]> {
  const [cur, base] = await Promise.all([windowStats(s, current), windowStats(s, baseline)]);
  const hosts: SlowdownHost[] = [];
  for (const [host, b] of base) {
    const c = cur.get(host);
    if (c === undefined || b.images_per_min <= 0) continue;
    const windowS = (current.to.getTime() - current.from.getTime()) / 1000;
    hosts.push({ host, current: c, baseline: b, drop_ratio: 1 - c.images_per_min / b.images_per_min, reasons: slowdownReasons(c, b, windowS) });
  }
  return hosts.sort((a, b) => (b.drop_ratio ?? 0) - (a.drop_ratio ?? 0) || a.host.localeCompare(b.host)).slice(0, limit);
}
