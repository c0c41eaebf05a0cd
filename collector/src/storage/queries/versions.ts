// Version drift per host: runs of runtime starts with the same version and extension set (with what
// changed against the start before), and the model hashes loaded with first/last seen. Reads the raw
// runtime_start events, and the model_load events (the contract's job_end carries no model hash)
// from the daily rollup model_hashes_1d for the whole UTC days of the range plus the raw events for
// the partial days at both ends.
import type { ModelHashSeen, VersionPeriod, VersionsHost, VersionsQuery } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';
import { refuseOverCap } from './row-cap.js';

/** How far before `from` the start preceding the window is looked up, ms. */
export const PREVIOUS_START_LOOKBACK_MS = 30 * 86400_000;
const MAX_STARTS = 100_000;
const MS = raw('toUInt64(toUInt32(ts)) * 1000 + ts_ms');

export interface StartConfigRow {
  host: string;
  runtime: string;
  ms: number;
  version: string;
  extensions: readonly string[];
}

const DAY_MS = 86400_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export interface DaySplit {
  /** The whole UTC days inside the range, [from, to) in ms at midnight; null when there is none. */
  days: { fromMs: number; toMs: number } | null;
  /** The rest: the partial days before and after `days`; the whole range (even an empty one) when there is no whole day. */
  edges: { fromMs: number; toMs: number }[];
}

/** Splits [fromMs, toMs) into the whole UTC days inside it and the partial days at both ends. Pure. */
export function splitWholeDays(fromMs: number, toMs: number): DaySplit {
  const first = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const end = Math.floor(toMs / DAY_MS) * DAY_MS;
  if (first >= end) return { days: null, edges: [{ fromMs, toMs }] };
  const edges = [
    { fromMs, toMs: first },
    { fromMs: end, toMs },
  ].filter((e) => e.fromMs < e.toMs);
  return { days: { fromMs: first, toMs: end }, edges };
}

const day = (ms: number): SqlFragment => sql`toDate(${iso(ms).slice(0, 10)})`;

/**
 * Per host, model and model hash: first and last load (ms) and loads in [from, to). Whole days come
 * from the daily rollup (per day: loads counted by its view plus loads_before from its backfill, see
 * migration 0013), partial days from the raw events; min/min, max/max and sum across both.
 */
function modelHashesSql(s: TenantScope, from: Date, to: Date, host: readonly SqlFragment[]): SqlFragment {
  const split = splitWholeDays(from.getTime(), to.getTime());
  const parts: SqlFragment[] = [];
  if (split.days !== null) {
    const where = joinSql([sql`t >= ${day(split.days.fromMs)} AND t < ${day(split.days.toMs)}`, ...host], ' AND ');
    parts.push(sql`
      SELECT host, model, model_hash, minMerge(first_ms) AS f, maxMerge(last_ms) AS l, countMerge(loads) + maxMerge(loads_before) AS n
      FROM ${s.rows('model_hashes_1d', where)}
      GROUP BY host, model, model_hash, t`);
  }
  if (split.edges.length > 0) {
    const ranges = joinSql(
      split.edges.map((e) => sql`(ts >= ${new Date(e.fromMs)} AND ts < ${new Date(e.toMs)})`),
      ' OR ',
    );
    const where = joinSql([sql`kind = 'model_load' AND (${ranges}) AND model_hash != ''`, ...host], ' AND ');
    parts.push(sql`
      SELECT host, model, model_hash, min(${MS}) AS f, max(${MS}) AS l, count() AS n
      FROM ${s.rows('runtime_events', where, { prewhere: sql`kind = 'model_load'` })}
      GROUP BY host, model, model_hash`);
  }
  return sql`
    SELECT host, model, model_hash, min(f) AS first_ms, max(l) AS last_ms, sum(n) AS loads
    FROM (${joinSql(parts, '\n      UNION ALL')})
    GROUP BY host, model, model_hash
    ORDER BY host, model, first_ms, model_hash LIMIT ${MAX_STARTS + 1}`;
}

const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/**
 * Collapses starts (ordered by ms) into runs of equal version + extension set per host and runtime;
 * `previous` holds the last start before the window per `host\0runtime`. Pure.
 */
export function versionTimeline(starts: readonly StartConfigRow[], previous: ReadonlyMap<string, StartConfigRow>): Map<string, VersionPeriod[]> {
  const last = new Map<string, { version: string; ext: string[] }>();
  for (const [k, p] of previous) last.set(k, { version: p.version, ext: sorted(p.extensions) });
  const out = new Map<string, VersionPeriod[]>();
  // last_start is formatted once per run at the end (toISOString per start was most of the time).
  const runs: { period: VersionPeriod; lastMs: number }[] = [];
  const current = new Map<string, { period: VersionPeriod; lastMs: number }>();
  for (const st of starts) {
    const key = `${st.host}\u0000${st.runtime}`;
    const ext = sorted(st.extensions);
    const cur = current.get(key);
    if (cur !== undefined && cur.period.version === st.version && cur.period.extensions.join('\u0000') === ext.join('\u0000')) {
      cur.lastMs = st.ms;
      cur.period.starts += 1;
      continue;
    }
    const before = last.get(key);
    const period: VersionPeriod = {
      runtime: st.runtime,
      version: st.version,
      extensions: ext,
      first_start: iso(st.ms),
      last_start: '',
      starts: 1,
      previous_version: before?.version ?? null,
      added: before === undefined ? null : ext.filter((e) => !before.ext.includes(e)),
      removed: before === undefined ? null : before.ext.filter((e) => !ext.includes(e)),
    };
    const run = { period, lastMs: st.ms };
    runs.push(run);
    current.set(key, run);
    last.set(key, { version: st.version, ext });
    const list = out.get(st.host);
    if (list === undefined) out.set(st.host, [period]);
    else list.push(period);
  }
  for (const r of runs) r.period.last_start = iso(r.lastMs);
  return out;
}

/** One start as it crosses the wire: [unix s, ms, version, extensions]. */
type StartTuple = readonly [number, number, string, string[]];

/** The starts of every (host, runtime) group as StartConfigRows ordered by ms, as versionTimeline needs them. Pure. */
export function startsByTime(groups: readonly { host: string; runtime: string; starts: readonly StartTuple[] }[]): StartConfigRow[] {
  const out: StartConfigRow[] = [];
  for (const g of groups)
    for (const [sec, ms, version, extensions] of g.starts) out.push({ host: g.host, runtime: g.runtime, ms: sec * 1000 + ms, version, extensions });
  return out.sort((a, b) => a.ms - b.ms);
}

type Num = number | string | null;

export async function queryVersions(s: TenantScope, from: Date, to: Date, q: VersionsQuery): Promise<VersionsHost[]> {
  const host: SqlFragment[] = q.host === undefined ? [] : [sql`host = ${q.host}`];
  const win = (kind: string, a: Date, b: Date): SqlFragment => joinSql([sql`kind = ${kind} AND ts >= ${a} AND ts < ${b}`, ...host], ' AND ');
  const [groups, prev, models] = await Promise.all([
    // One row per host and runtime with its starts as a sorted array of tuples rather than one JSON
    // object per start: 1.0 MB instead of 1.8 MB to parse for 12 k starts (200 hosts, 30 days).
    s.query<{ host: string; runtime: string; n: Num; starts: StartTuple[] }>(sql`
      SELECT host, runtime, count() AS n, arraySort(groupArray(${MAX_STARTS + 1})((toUInt32(ts), ts_ms, version, extensions))) AS starts
      FROM ${s.rows('runtime_events', win('runtime_start', from, to), { prewhere: sql`kind = 'runtime_start'` })}
      GROUP BY host, runtime`),
    s.query<{ host: string; runtime: string; ms: Num; version: string; extensions: string[] }>(sql`
      SELECT host, runtime, max(${MS}) AS ms, argMax(version, ${MS}) AS version, argMax(extensions, ${MS}) AS extensions
      FROM ${s.rows('runtime_events', win('runtime_start', new Date(from.getTime() - PREVIOUS_START_LOOKBACK_MS), from), { prewhere: sql`kind = 'runtime_start'` })}
      GROUP BY host, runtime`),
    s.query<{ host: string; model: string; model_hash: string; first_ms: Num; last_ms: Num; loads: Num }>(modelHashesSql(s, from, to, host)),
  ]);
  refuseOverCap(
    groups.reduce((sum, g) => sum + (numOrNull(g.n) ?? 0), 0),
    MAX_STARTS,
    'runtime starts',
  );
  refuseOverCap(models, MAX_STARTS, 'host × model hash pairs');
  const row = (r: { host: string; runtime: string; ms: Num; version: string; extensions: string[] }): StartConfigRow => ({ ...r, ms: numOrNull(r.ms) ?? 0 });
  const timeline = versionTimeline(startsByTime(groups), new Map(prev.map((p) => [`${p.host}\u0000${p.runtime}`, row(p)])));
  const hashes = new Map<string, ModelHashSeen[]>();
  for (const m of models) {
    const seen: ModelHashSeen = {
      model: m.model,
      model_hash: m.model_hash,
      first_seen: iso(numOrNull(m.first_ms) ?? 0),
      last_seen: iso(numOrNull(m.last_ms) ?? 0),
      loads: numOrNull(m.loads) ?? 0,
    };
    const list = hashes.get(m.host);
    if (list === undefined) hashes.set(m.host, [seen]);
    else list.push(seen);
  }
  const hosts = [...new Set([...timeline.keys(), ...hashes.keys()])].sort();
  return hosts.map((h) => ({ host: h, timeline: timeline.get(h) ?? [], model_hashes: hashes.get(h) ?? [] }));
}
