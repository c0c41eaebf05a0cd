// Version drift per host: runs of runtime starts with the same version and extension set (with what
// changed against the start before), and the model hashes loaded with first/last seen. Reads the raw
// runtime_start and model_load events (the contract's job_end carries no model hash).
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

const iso = (ms: number): string => new Date(ms).toISOString();
const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/**
 * Collapses starts (ordered by ms) into runs of equal version + extension set per host and runtime;
 * `previous` holds the last start before the window per `host\0runtime`. Pure.
 */
export function versionTimeline(starts: readonly StartConfigRow[], previous: ReadonlyMap<string, StartConfigRow>): Map<string, VersionPeriod[]> {
  const last = new Map<string, { version: string; ext: string[] }>();
  for (const [k, p] of previous) last.set(k, { version: p.version, ext: sorted(p.extensions) });
  const out = new Map<string, VersionPeriod[]>();
  const current = new Map<string, VersionPeriod>();
  for (const st of starts) {
    const key = `${st.host}\u0000${st.runtime}`;
    const ext = sorted(st.extensions);
    const cur = current.get(key);
    if (cur !== undefined && cur.version === st.version && cur.extensions.join('\u0000') === ext.join('\u0000')) {
      cur.last_start = iso(st.ms);
      cur.starts += 1;
      continue;
    }
    const before = last.get(key);
    const period: VersionPeriod = {
      runtime: st.runtime, version: st.version, extensions: ext, first_start: iso(st.ms), last_start: iso(st.ms), starts: 1,
      previous_version: before?.version ?? null,
      added: before === undefined ? null : ext.filter((e) => !before.ext.includes(e)),
      removed: before === undefined ? null : before.ext.filter((e) => !ext.includes(e)),
    };
    current.set(key, period);
    last.set(key, { version: st.version, ext });
    out.set(st.host, [...(out.get(st.host) ?? []), period]);
  }
  return out;
}

type Num = number | string | null;

export async function queryVersions(s: TenantScope, from: Date, to: Date, q: VersionsQuery): Promise<VersionsHost[]> {
  const host: SqlFragment[] = q.host === undefined ? [] : [sql`host = ${q.host}`];
  const win = (kind: string, a: Date, b: Date): SqlFragment => joinSql([sql`kind = ${kind} AND ts >= ${a} AND ts < ${b}`, ...host], ' AND ');
  const [starts, prev, models] = await Promise.all([
    s.query<{ host: string; runtime: string; ms: Num; version: string; extensions: string[] }>(sql`
      SELECT host, runtime, ${MS} AS ms, version, extensions
      FROM ${s.rows('runtime_events', win('runtime_start', from, to))}
      ORDER BY ms LIMIT ${MAX_STARTS + 1}`),
    s.query<{ host: string; runtime: string; ms: Num; version: string; extensions: string[] }>(sql`
      SELECT host, runtime, max(${MS}) AS ms, argMax(version, ${MS}) AS version, argMax(extensions, ${MS}) AS extensions
      FROM ${s.rows('runtime_events', win('runtime_start', new Date(from.getTime() - PREVIOUS_START_LOOKBACK_MS), from))}
      GROUP BY host, runtime`),
    s.query<{ host: string; model: string; model_hash: string; first_ms: Num; last_ms: Num; loads: Num }>(sql`
      SELECT host, model, model_hash, min(${MS}) AS first_ms, max(${MS}) AS last_ms, count() AS loads
      FROM ${s.rows('runtime_events', joinSql([win('model_load', from, to), sql`model_hash != ''`], ' AND '))}
      GROUP BY host, model, model_hash
      ORDER BY host, model, first_ms LIMIT ${MAX_STARTS + 1}`),
  ]);
  refuseOverCap(starts, MAX_STARTS, 'runtime starts');
  refuseOverCap(models, MAX_STARTS, 'host × model hash pairs');
  const row = (r: { host: string; runtime: string; ms: Num; version: string; extensions: string[] }): StartConfigRow => ({ ...r, ms: numOrNull(r.ms) ?? 0 });
  const timeline = versionTimeline(starts.map(row), new Map(prev.map((p) => [`${p.host}\u0000${p.runtime}`, row(p)])));
  const hashes = new Map<string, ModelHashSeen[]>();
  for (const m of models) {
    const seen: ModelHashSeen = { model: m.model, model_hash: m.model_hash, first_seen: iso(numOrNull(m.first_ms) ?? 0), last_seen: iso(numOrNull(m.last_ms) ?? 0), loads: numOrNull(m.loads) ?? 0 };
    hashes.set(m.host, [...(hashes.get(m.host) ?? []), seen]);
  }
  const hosts = [...new Set([...timeline.keys(), ...hashes.keys()])].sort();
  return hosts.map((h) => ({ host: h, timeline: timeline.get(h) ?? [], model_hashes: hashes.get(h) ?? [] }));
}
