// Good/valid counts per window for one SLO and tenant, from ClickHouse. Job and GPU SLIs read the
// 1-minute rollups for windows up to 6 h and the 1-hour rollups beyond (bucket starts inside the
// window count whole); start SLIs pair raw runtime_start/runtime_ready rows (rare events);
// time-to-first-image SLIs read the agents' raw first_image rows (one per runtime start);
// output durability compares raw output_written with job_end images.
import type { SloSpec } from '@renderwatch/schema';
import type { Storage } from '../storage/clickhouse.js';
import { joinSql, raw, sql, type SqlFragment } from '../storage/sql.js';
import { campaignCounts } from './campaign-sli.js';
import { durationS } from './duration.js';
import { countWindow, type Counts } from './evaluate.js';
import { startOutcomes, type StartEventRow } from '../domain/start-pairs.js';

export interface NamedWindow {
  name: string;
  seconds: number;
}

const MINUTE_ROLLUP_MAX_S = 6 * 3600;

/** Host/runtime/group filters shared by every SLI query (tenant is always first). */
export function selectorFilter(tenant: string, spec: SloSpec, opts: { gpuName?: boolean; runtime?: boolean } = {}): SqlFragment {
  const parts: SqlFragment[] = [sql`tenant = ${tenant}`];
  const s = spec.selectors;
  if (s.host !== undefined) parts.push(sql`host IN ${s.host}`);
  if (s.runtime !== undefined && opts.runtime !== false) parts.push(sql`runtime IN ${s.runtime}`);
  if (s.gpu_model !== undefined && opts.gpuName === true) parts.push(sql`gpu_name IN ${s.gpu_model}`);
  if (s.host_group !== undefined) {
    parts.push(sql`host IN (SELECT host FROM hosts WHERE tenant = ${tenant} AND labels_values[indexOf(labels_keys, 'group')] IN ${s.host_group})`);
  }
  return joinSql(parts, ' AND ');
}

/** `SELECT sumIf(g, ts > now − w) AS g0, sumIf(v, ...) AS v0, ...` over an inner (ts, g, v) query. */
function windowSums(inner: SqlFragment, windows: readonly NamedWindow[], nowS: number): SqlFragment {
  const cols = windows.map((w, i) => raw(`sumIf(g, ts > ${nowS - w.seconds}) AS g${i}, sumIf(v, ts > ${nowS - w.seconds}) AS v${i}`));
  return sql`SELECT ${joinSql(cols, ', ')} FROM (${inner})`;
}

async function sums(storage: Storage, inner: SqlFragment, windows: readonly NamedWindow[], nowS: number, out: Map<string, Counts>): Promise<void> {
  if (windows.length === 0) return;
  const rows = await storage.query<Record<string, number | string>>(windowSums(inner, windows, nowS));
  const row = rows[0] ?? {};
  windows.forEach((w, i) => out.set(w.name, { good: Number(row[`g${i}`] ?? 0), valid: Number(row[`v${i}`] ?? 0) }));
}

/** Inner query over a rollup table: one row per bucket with (ts, g, v). */
function rollupInner(spec: SloSpec, tenant: string, table: 'jobs' | 'gpu', suffix: '1m' | '1h', sinceS: number, nowS: number): SqlFragment {
  const name = raw(`${table}_${suffix}`);
  const where = selectorFilter(tenant, spec, { gpuName: table === 'gpu', runtime: table === 'jobs' });
  const range = sql`t >= toDateTime(${sinceS}) AND t <= toDateTime(${nowS})`;
  if (table === 'gpu') {
    return sql`SELECT toUInt32(t) AS ts, countIfMerge(busy_samples) - countIfMerge(thermal_busy_samples) AS g, countIfMerge(busy_samples) AS v FROM ${name} WHERE ${where} AND ${range} GROUP BY t`;
  }
  const good = spec.indicator.kind === 'job_success' ? raw('countIfMerge(jobs_ok)') : raw('countIfMerge(jobs) - countIfMerge(jobs_oom)');
  return sql`SELECT toUInt32(t) AS ts, ${good} AS g, countIfMerge(jobs) AS v FROM ${name} WHERE ${where} AND ${range} GROUP BY t`;
}

async function rollupCounts(
  storage: Storage,
  tenant: string,
  spec: SloSpec,
  table: 'jobs' | 'gpu',
  windows: readonly NamedWindow[],
  nowS: number,
): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const short = windows.filter((w) => w.seconds <= MINUTE_ROLLUP_MAX_S);
  const long = windows.filter((w) => w.seconds > MINUTE_ROLLUP_MAX_S);
  const maxOf = (ws: readonly NamedWindow[]): number => Math.max(0, ...ws.map((w) => w.seconds));
  await sums(storage, rollupInner(spec, tenant, table, '1m', nowS - maxOf(short), nowS), short, nowS, out);
  await sums(storage, rollupInner(spec, tenant, table, '1h', nowS - maxOf(long) - 3600, nowS), long, nowS, out);
  return out;
}

async function durabilityCounts(storage: Storage, tenant: string, spec: SloSpec, windows: readonly NamedWindow[], nowS: number): Promise<Map<string, Counts>> {
  const since = nowS - Math.max(...windows.map((w) => w.seconds));
  const where = selectorFilter(tenant, spec);
  const range = sql`ts > toDateTime(${since}) AND ts <= toDateTime(${nowS})`;
  // Only hosts that report output_written at all: without an output watcher nothing is known.
  const inner = sql`SELECT toUInt32(ts) AS ts,
      sumIf(toUInt64(ifNull(images, 0)), kind = 'output_written') AS w,
      sumIf(toUInt64(ifNull(images, 0)), kind = 'job_end' AND outcome = 'ok') AS v
    FROM runtime_events
    WHERE ${where} AND kind IN ('output_written', 'job_end') AND ${range}
      AND host IN (SELECT host FROM runtime_events WHERE tenant = ${tenant} AND kind = 'output_written' AND ${range})
    GROUP BY ts`;
  const cols = windows.map((w, i) => raw(`sumIf(w, ts > ${nowS - w.seconds}) AS w${i}, sumIf(v, ts > ${nowS - w.seconds}) AS v${i}`));
  const rows = await storage.query<Record<string, number | string>>(sql`SELECT ${joinSql(cols, ', ')} FROM (${inner})`);
  const row = rows[0] ?? {};
  const out = new Map<string, Counts>();
  windows.forEach((w, i) => {
    const valid = Number(row[`v${i}`] ?? 0);
    out.set(w.name, { good: Math.min(valid, Number(row[`w${i}`] ?? 0)), valid });
  });
  return out;
}

async function startCounts(storage: Storage, tenant: string, spec: SloSpec, windows: readonly NamedWindow[], nowMs: number): Promise<Map<string, Counts>> {
  const thresholdS = durationS(spec.indicator.threshold ?? '5m');
  const sinceS = Math.floor(nowMs / 1000) - Math.max(...windows.map((w) => w.seconds)) - thresholdS;
  const rows = await storage.query<{
    agent_id: string;
    runtime: string;
    kind: 'runtime_start' | 'runtime_ready';
    ms: string | number;
    cold: number | null;
    startup_s: number | null;
  }>(
    sql`SELECT agent_id, runtime, kind, toUInt64(toUInt32(ts)) * 1000 + ts_ms AS ms, cold, startup_s
      FROM runtime_events
      WHERE ${selectorFilter(tenant, spec)} AND kind IN ('runtime_start', 'runtime_ready') AND ts > toDateTime(${sinceS}) AND ts <= toDateTime(${Math.floor(nowMs / 1000)})
      ORDER BY ms, kind DESC`,
  );
  const typed: StartEventRow[] = rows.map((r) => ({
    agent_id: r.agent_id,
    runtime: r.runtime,
    kind: r.kind,
    ts_ms: Number(r.ms),
    cold: r.cold === null ? null : r.cold === 1,
    startup_s: r.startup_s,
  }));
  const outcomes = startOutcomes(typed, { cold: spec.indicator.kind === 'cold_start', thresholdS, nowMs });
  return new Map(windows.map((w) => [w.name, countWindow(outcomes, nowMs, w.seconds)]));
}

/**
 * One first_image row per runtime start (docs/signals.md): valid when its label matches the kind
 * (warm_first_image: warm or unknown, as the start SLOs count unknown; cold_first_image: cold),
 * good when start → first image took at most the threshold. Timed at the first image.
 */
async function firstImageCounts(storage: Storage, tenant: string, spec: SloSpec, windows: readonly NamedWindow[], nowMs: number): Promise<Map<string, Counts>> {
  const thresholdS = durationS(spec.indicator.threshold ?? '5m');
  const nowS = Math.floor(nowMs / 1000);
  const sinceS = nowS - Math.max(...windows.map((w) => w.seconds));
  const label = spec.indicator.kind === 'cold_first_image' ? raw('cold = 1') : raw('(cold IS NULL OR cold = 0)');
  const rows = await storage.query<{ ms: string | number; ttfi: number }>(
    sql`SELECT toUInt64(toUInt32(ts)) * 1000 + ts_ms AS ms, start_to_first_image_s AS ttfi
      FROM runtime_events
      WHERE ${selectorFilter(tenant, spec)} AND kind = 'first_image' AND ${label} AND start_to_first_image_s IS NOT NULL
        AND ts > toDateTime(${sinceS}) AND ts <= toDateTime(${nowS})`,
  );
  const outcomes = rows.map((r) => ({ tsMs: Number(r.ms), good: Number(r.ttfi) <= thresholdS }));
  return new Map(windows.map((w) => [w.name, countWindow(outcomes, nowMs, w.seconds)]));
}

/** Good/valid events of `spec` for `tenant` in each window ending at `nowMs`. */
export async function queryWindowCounts(
  storage: Storage,
  tenant: string,
  spec: SloSpec,
  windows: readonly NamedWindow[],
  nowMs: number,
): Promise<Map<string, Counts>> {
  const nowS = Math.floor(nowMs / 1000);
  switch (spec.indicator.kind) {
    case 'job_success':
    case 'oom_free':
      return rollupCounts(storage, tenant, spec, 'jobs', windows, nowS);
    case 'gpu_not_throttled':
      return rollupCounts(storage, tenant, spec, 'gpu', windows, nowS);
    case 'output_durability':
      return durabilityCounts(storage, tenant, spec, windows, nowS);
    case 'warm_start':
    case 'cold_start':
      return startCounts(storage, tenant, spec, windows, nowMs);
    case 'warm_first_image':
    case 'cold_first_image':
      return firstImageCounts(storage, tenant, spec, windows, nowMs);
    case 'campaign_completion':
      return campaignCounts(storage, tenant, spec, windows, nowMs);
  }
}
