// Time to first image (docs/signals.md): the agents' first_image rows (one per runtime start that
// produced an image) and the queued → image of job_end rows, by runtime and cold/warm label.
// Percentiles are nearest-rank (like /starts), computed in ClickHouse from the sorted values so
// that only one row per runtime and label crosses the wire.
import type { ColdLabel, FirstImagesQuery, FirstImagesResponse, StartDistribution } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';

const LIST_MAX = 200;
const LABEL = raw("multiIf(cold = 1, 'cold', cold = 0, 'warm', 'unknown')");
const LABEL_ORDER: Record<ColdLabel, number> = { cold: 0, warm: 1, unknown: 2 };

/** count, p50, p90, max of a Nullable column by nearest rank (the smallest value with at least p of the values at or below it). */
function dist(col: string, name: string): SqlFragment {
  const xs = `arraySort(groupArrayIf(assumeNotNull(${col}), isNotNull(${col})))`;
  const at = (p: number): string => `if(length(${xs}) = 0, NULL, arrayElement(${xs}, toUInt64(greatest(1, ceil(${p} * length(${xs}))))))`;
  return raw(`countIf(isNotNull(${col})) AS ${name}_n, ${at(0.5)} AS ${name}_p50, ${at(0.9)} AS ${name}_p90, maxIf(${col}, isNotNull(${col})) AS ${name}_max`);
}

type DistRow = Record<string, string | number | null>;
const num = (v: string | number | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
function read(r: DistRow, name: string): StartDistribution {
  const count = Number(r[`${name}_n`] ?? 0);
  return {
    count,
    p50_s: count === 0 ? null : num(r[`${name}_p50`]),
    p90_s: count === 0 ? null : num(r[`${name}_p90`]),
    max_s: count === 0 ? null : num(r[`${name}_max`]),
  };
}

const keyOf = (runtime: string, label: ColdLabel): string => `${runtime}\u0000${label}`;

export async function queryFirstImages(s: TenantScope, from: Date, to: Date, q: FirstImagesQuery): Promise<Omit<FirstImagesResponse, 'from' | 'to'>> {
  const conds: SqlFragment[] = [sql`ts >= ${from} AND ts < ${to}`];
  if (q.runtime !== undefined) conds.push(sql`runtime = ${q.runtime}`);
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  const where = joinSql(conds, ' AND ');
  const firstKind = raw("kind = 'first_image'");
  const jobKind = raw("kind = 'job_end'");
  const [groups, jobs, rules, list] = await Promise.all([
    s.query<DistRow & { runtime: string; label: ColdLabel; n: string | number }>(sql`
      SELECT runtime, ${LABEL} AS label, count() AS n,
        ${dist('start_to_first_image_s', 'ttfi')}, ${dist('start_to_ready_s', 's2r')}, ${dist('ready_to_first_image_s', 'r2i')}
      FROM ${s.rows('runtime_events', where, { prewhere: firstKind })}
      GROUP BY runtime, label`),
    s.query<DistRow & { runtime: string; label: ColdLabel }>(sql`
      SELECT runtime, ${LABEL} AS label, ${dist('queued_to_image_s', 'q2i')}
      FROM ${s.rows('runtime_events', sql`${where} AND queued_to_image_s IS NOT NULL`, { prewhere: jobKind })}
      GROUP BY runtime, label`),
    s.query<{ label: ColdLabel; cold_rule: string; n: string | number }>(sql`
      SELECT ${LABEL} AS label, cold_rule, count() AS n
      FROM ${s.rows('runtime_events', where, { prewhere: firstKind })}
      GROUP BY label, cold_rule ORDER BY n DESC, label, cold_rule`),
    s.query<{
      ts: string;
      ts_ms: number;
      host: string;
      runtime: string;
      job_id: string;
      label: ColdLabel;
      cold_rule: string;
      start_to_first_image_s: number | null;
      start_to_ready_s: number | null;
      ready_to_first_image_s: number | null;
      queued_to_image_s: number | null;
    }>(sql`
      SELECT toString(ts) AS ts, ts_ms, host, runtime, job_id, ${LABEL} AS label, cold_rule,
        start_to_first_image_s, start_to_ready_s, ready_to_first_image_s, queued_to_image_s
      FROM ${s.rows('runtime_events', where, { prewhere: firstKind })}
      ORDER BY ts DESC, ts_ms DESC, host LIMIT ${raw(String(LIST_MAX))}`),
  ]);
  const byKey = new Map<string, FirstImagesResponse['by_runtime'][number]>();
  const empty: StartDistribution = { count: 0, p50_s: null, p90_s: null, max_s: null };
  const row = (runtime: string, cold: ColdLabel): FirstImagesResponse['by_runtime'][number] => {
    const k = keyOf(runtime, cold);
    let g = byKey.get(k);
    if (g === undefined) {
      g = { runtime, cold, starts: 0, start_to_first_image: empty, start_to_ready: empty, ready_to_first_image: empty, jobs_queued_to_image: empty };
      byKey.set(k, g);
    }
    return g;
  };
  for (const r of groups) {
    const g = row(r.runtime, r.label);
    g.starts = Number(r.n);
    g.start_to_first_image = read(r, 'ttfi');
    g.start_to_ready = read(r, 's2r');
    g.ready_to_first_image = read(r, 'r2i');
  }
  for (const r of jobs) row(r.runtime, r.label).jobs_queued_to_image = read(r, 'q2i');
  const by_runtime = [...byKey.values()].sort((a, b) => (a.runtime < b.runtime ? -1 : a.runtime > b.runtime ? 1 : LABEL_ORDER[a.cold] - LABEL_ORDER[b.cold]));
  return {
    by_runtime,
    rules: rules.map((r) => ({ cold: r.label, cold_rule: r.cold_rule, starts: Number(r.n) })),
    starts: list.map((r) => ({
      ts: `${r.ts.replace(' ', 'T')}.${String(r.ts_ms).padStart(3, '0')}Z`,
      host: r.host,
      runtime: r.runtime,
      job_id: r.job_id,
      cold: r.label,
      cold_rule: r.cold_rule,
      start_to_first_image_s: num(r.start_to_first_image_s),
      start_to_ready_s: num(r.start_to_ready_s),
      ready_to_first_image_s: num(r.ready_to_first_image_s),
      queued_to_image_s: num(r.queued_to_image_s),
    })),
  };
}
