// Pure shaping of fleet API data for the page: summaries, sorting/filtering, chart series.
import type { FleetGpu, FleetHost, UtilizationResponse } from '@renderwatch/schema';
import type { HeatmapRow } from '../../charts/Heatmap.js';
import type { SeriesPoint } from '../../charts/TimeSeriesChart.js';

/** A GPU counts as busy at or above this utilization (the same rule as /api/v1/fleet/summary). */
export const BUSY_UTILIZATION = 0.1;

export interface FleetSummary {
  hosts: number;
  up: number;
  silent: number;
  gpus: number;
  busyGpus: number;
}

export function summarizeFleet(hosts: FleetHost[]): FleetSummary {
  const gpus = hosts.flatMap((h) => (h.silent ? [] : h.gpus));
  return {
    hosts: hosts.length,
    up: hosts.filter((h) => !h.silent).length,
    silent: hosts.filter((h) => h.silent).length,
    gpus: hosts.reduce((n, h) => n + h.gpus.length, 0),
    busyGpus: gpus.filter((g) => (g.utilization_ratio ?? 0) >= BUSY_UTILIZATION).length,
  };
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function present(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null);
}

export interface HostStats {
  meanUtil: number | null;
  maxTemp: number | null;
  memUsed: number | null;
  memTotal: number | null;
}

export function hostStats(gpus: FleetGpu[]): HostStats {
  const temps = present(gpus.map((g) => g.temperature_celsius));
  const used = present(gpus.map((g) => g.memory_used_bytes));
  const total = present(gpus.map((g) => g.memory_total_bytes));
  return {
    meanUtil: mean(present(gpus.map((g) => g.utilization_ratio))),
    maxTemp: temps.length === 0 ? null : Math.max(...temps),
    memUsed: used.length === 0 ? null : used.reduce((a, b) => a + b, 0),
    memTotal: total.length === 0 ? null : total.reduce((a, b) => a + b, 0),
  };
}

export const SORT_KEYS = ['host', 'status', 'util', 'temp', 'mem', 'last_seen'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface HostFilter {
  text: string;
  gpuModel: string;
  status: '' | 'up' | 'silent';
}

export function gpuModels(hosts: FleetHost[]): string[] {
  return [...new Set(hosts.flatMap((h) => h.gpus.map((g) => g.name)))].sort();
}

function sortValue(h: FleetHost, key: SortKey): number | string {
  const s = hostStats(h.gpus);
  switch (key) {
    case 'host':
      return h.host;
    case 'status':
      return h.silent ? 1 : 0;
    case 'util':
      return s.meanUtil ?? -1;
    case 'temp':
      return s.maxTemp ?? -1;
    case 'mem':
      return s.memUsed !== null && s.memTotal !== null && s.memTotal > 0 ? s.memUsed / s.memTotal : -1;
    case 'last_seen':
      return Date.parse(h.last_seen);
  }
}

export function filterAndSortHosts(hosts: FleetHost[], f: HostFilter, key: SortKey, dir: 'asc' | 'desc'): FleetHost[] {
  const text = f.text.trim().toLowerCase();
  const out = hosts.filter(
    (h) =>
      (text === '' || h.host.toLowerCase().includes(text) || h.agent_id.toLowerCase().includes(text)) &&
      (f.gpuModel === '' || h.gpus.some((g) => g.name === f.gpuModel)) &&
      (f.status === '' || (f.status === 'silent') === h.silent),
  );
  const sign = dir === 'asc' ? 1 : -1;
  return out.sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    const c = typeof va === 'string' && typeof vb === 'string' ? va.localeCompare(vb) : Number(va) - Number(vb);
    return c !== 0 ? sign * c : a.host.localeCompare(b.host);
  });
}

/** Fleet-wide mean utilization and VRAM use per time bucket (the API's mean over reporting hosts); buckets no host reported in are left out. */
export function fleetSeries(u: UtilizationResponse): SeriesPoint[] {
  return u.times
    .map((t, i) => ({ t: Date.parse(t), util: u.utilization_ratio[i] ?? null, mem: u.memory_used_ratio[i] ?? null, n: u.hosts_reporting[i] ?? 0 }))
    .filter((p) => p.n > 0)
    .map(({ t, util, mem }) => ({ t, util, mem }));
}

/** Hosts × time buckets of utilization (the buckets some host reported in), rows sorted by host name. */
export function utilizationHeatmap(u: UtilizationResponse): { columns: number[]; rows: HeatmapRow[] } {
  const keep = u.times.map((_, i) => (u.hosts_reporting[i] ?? 0) > 0);
  const columns = u.times.filter((_, i) => keep[i]).map((t) => Date.parse(t));
  return {
    columns,
    rows: [...u.hosts]
      .sort((a, b) => a.host.localeCompare(b.host))
      .map((h) => ({ id: h.host, label: h.host, values: h.utilization_ratio.filter((_, i) => keep[i]) })),
  };
}
