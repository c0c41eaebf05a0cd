// Cold and warm start distributions: runtime_start paired with the runtime_ready that follows it on
// the same agent and runtime by the same pairing the start SLOs use (domain/start-pairs.ts: the
// runtime's own startup_s when it states one, else ready - start; a second start before a ready
// means the first never became ready; cold unknown counts as warm).
import type { StartReadyDistribution, StartsGroup, StartsHost, StartsQuery } from '@renderwatch/schema';
import { pairCold, pairStartEvents, type StartEventRow } from '../../domain/start-pairs.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { refuseOverCap } from './row-cap.js';

/** How long after `to` a ready still closes a start of the window, ms. */
export const READY_LOOKAHEAD_MS = 3600_000;
const MAX_ROWS = 200_000;
/** Also the PREWHERE: the wide columns are read only for the start/ready rows of the granules the sort key selects. */
const KINDS = raw("kind IN ('runtime_start', 'runtime_ready')");

export interface HostStartRow extends StartEventRow {
  host: string;
}

export interface PairedStart {
  host: string;
  runtime: string;
  startMs: number;
  cold: boolean;
  /** null: never became ready (superseded by another start, or no ready by `closedBeforeMs`). */
  durationS: number | null;
}

/** Rows ordered by ts_ms. Starts still open at the end are never-ready if they began before `closedBeforeMs`, else dropped (pending). Pure. */
export function pairStarts(rows: readonly HostStartRow[], closedBeforeMs: number): PairedStart[] {
  const out: PairedStart[] = [];
  for (const p of pairStartEvents(rows)) {
    if (p.state === 'open' && p.start.ts_ms >= closedBeforeMs) continue;
    out.push({
      host: p.start.host,
      runtime: p.start.runtime,
      startMs: p.start.ts_ms,
      cold: pairCold(p) ?? false,
      durationS: p.state === 'ready' ? p.durationS : null,
    });
  }
  return out;
}

/** Nearest-rank percentile (the smallest value with at least p of the values at or below it) of sorted values. Pure. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

export function distribution(values: readonly number[]): StartReadyDistribution {
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    p50_s: nearestRank(s, 0.5),
    p90_s: nearestRank(s, 0.9),
    p99_s: nearestRank(s, 0.99),
    max_s: s.length === 0 ? null : (s[s.length - 1] ?? null),
  };
}

function group(starts: readonly PairedStart[]): Omit<StartsGroup, 'runtime'> {
  const ready = starts.filter((x) => x.durationS !== null);
  return {
    cold: distribution(ready.filter((x) => x.cold).map((x) => x.durationS ?? 0)),
    warm: distribution(ready.filter((x) => !x.cold).map((x) => x.durationS ?? 0)),
    never_ready: starts.length - ready.length,
  };
}

/** Groups the starts of [fromMs, toMs) by runtime and by host + runtime. Pure. */
export function summarizeStarts(paired: readonly PairedStart[], fromMs: number, toMs: number): { by_runtime: StartsGroup[]; by_host: StartsHost[] } {
  const inWindow = paired.filter((x) => x.startMs >= fromMs && x.startMs < toMs);
  const by = (key: (x: PairedStart) => string): Map<string, PairedStart[]> => {
    const m = new Map<string, PairedStart[]>();
    for (const x of inWindow) {
      const k = key(x);
      const list = m.get(k);
      if (list === undefined) m.set(k, [x]);
      else list.push(x);
    }
    return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  return {
    by_runtime: [...by((x) => x.runtime).entries()].map(([runtime, xs]) => ({ runtime, ...group(xs) })),
    by_host: [...by((x) => `${x.host}\u0000${x.runtime}`).values()].map((xs) => ({ host: xs[0]?.host ?? '', runtime: xs[0]?.runtime ?? '', ...group(xs) })),
  };
}

/** One start or ready as it crosses the wire: [unix s, ms, 1 = ready, cold, startup_s]. */
export type StartEventTuple = readonly [number, number, number, number | null, number | null];

/** The events of one agent, runtime and host, ordered by time with a start before a ready of the same ms. */
export interface StartEventGroup {
  agent_id: string;
  runtime: string;
  host: string;
  events: readonly StartEventTuple[];
}

const byTimeStartFirst = (a: HostStartRow, b: HostStartRow): number =>
  a.ts_ms - b.ts_ms || (a.kind === b.kind ? 0 : a.kind === 'runtime_start' ? -1 : 1) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);

/**
 * The rows of each agent and runtime (the pairing key of pairStartEvents), ordered as it needs them.
 * An agent seen under several hosts has its groups merged and re-sorted (ties by host). Pure.
 */
export function rowsPerAgentRuntime(groups: readonly StartEventGroup[]): HostStartRow[][] {
  const byKey = new Map<string, HostStartRow[][]>();
  for (const g of groups) {
    const rows = g.events.map(([s, ms, ready, cold, startupS]): HostStartRow => ({
      agent_id: g.agent_id,
      host: g.host,
      runtime: g.runtime,
      kind: ready === 1 ? 'runtime_ready' : 'runtime_start',
      ts_ms: s * 1000 + ms,
      cold: cold === null ? null : Number(cold) === 1,
      startup_s: startupS === null ? null : Number(startupS),
    }));
    const key = `${g.agent_id}\u0000${g.runtime}`;
    const lists = byKey.get(key);
    if (lists === undefined) byKey.set(key, [rows]);
    else lists.push(rows);
  }
  return [...byKey.values()].map((lists) => (lists.length === 1 ? (lists[0] ?? []) : lists.flat().sort(byTimeStartFirst)));
}

export async function queryStarts(
  s: TenantScope,
  from: Date,
  to: Date,
  q: StartsQuery,
  nowMs: number,
): Promise<{ by_runtime: StartsGroup[]; by_host: StartsHost[] }> {
  const endMs = Math.min(to.getTime() + READY_LOOKAHEAD_MS, Math.max(nowMs, to.getTime()));
  const conds: SqlFragment[] = [sql`${KINDS} AND ts >= ${from} AND ts < ${new Date(endMs)}`];
  if (q.runtime !== undefined) conds.push(sql`runtime = ${q.runtime}`);
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  // One row per agent, runtime and host with its events as sorted arrays of small tuples: ~1/5 of
  // the bytes of one JSON object per event (3.1 MB for 24 k events at 200 hosts over 30 days). The
  // tuple order (s, ms, is ready) is the pairing order: by time, a start before a ready of the same ms.
  const groups = await s.query<{ agent_id: string; runtime: string; host: string; n: string | number; events: StartEventTuple[] }>(sql`
    SELECT agent_id, runtime, host, count() AS n,
      arraySort(groupArray(${MAX_ROWS + 1})((toUInt32(ts), ts_ms, toUInt8(kind = 'runtime_ready'), cold, startup_s))) AS events
    FROM ${s.rows('runtime_events', joinSql(conds, ' AND '), { prewhere: KINDS })}
    GROUP BY agent_id, runtime, host`);
  refuseOverCap(
    groups.reduce((sum, g) => sum + Number(g.n), 0),
    MAX_ROWS,
    'start and ready events',
  );
  // A start still without a ready is never-ready once the whole lookahead after it has passed.
  const closedBeforeMs = endMs - READY_LOOKAHEAD_MS;
  const paired = rowsPerAgentRuntime(groups).flatMap((rows) => pairStarts(rows, closedBeforeMs));
  return summarizeStarts(paired, from.getTime(), to.getTime());
}
