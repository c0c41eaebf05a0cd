// OOM explorer: OOM events with their numbers, the job that ended with `oom` on the same GPU in the
// same second (model, resolution, batch), grouped counts, and what to try per cause. The join is
// done at insert time by the oom_context materialized view (migration 0007). No prompt is stored,
// so none can be returned.
import { GPU_TIERS_GB, oomAdviceFor, type CountByKey, type OomAdvice, type OomQuery, type OomRow } from '@renderwatch/schema';
import { chDateTimeToIso } from '../../domain/time.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';

const GiB = 1024 ** 3;
/** Smallest tier (GB) that holds `totalBytes` (a 24 GB card reports a little under 24 GiB). */
export function tierOf(totalBytes: number | null): number | null {
  if (totalBytes === null || totalBytes <= 0) return null;
  const gb = totalBytes / GiB;
  return GPU_TIERS_GB.find((t) => gb <= t * 1.02) ?? null;
}

type Num = number | string | null;
interface OomContextRow {
  ts_text: string;
  host: string;
  gpu_index: Num;
  runtime: string;
  cause: string;
  cause_rule: string;
  requested_bytes: Num;
  total_bytes: Num;
  free_bytes: Num;
  allocated_bytes: Num;
  reserved_unallocated_bytes: Num;
  other_processes_bytes: Num;
  recovered: Num;
  job_id: string;
  model: string;
  width: Num;
  height: Num;
  batch: Num;
}
interface GroupRow {
  cause: string;
  model: string;
  width: Num;
  height: Num;
  batch: Num;
  max_total: Num;
  c: Num;
}

/** Positions in oom_context's tuples (migration 0007); absent numbers are stored as -1. */
const O = {
  ts_ms: 1,
  gpu_index: 2,
  runtime: 3,
  cause: 4,
  cause_rule: 5,
  requested_bytes: 6,
  total_bytes: 7,
  free_bytes: 8,
  allocated_bytes: 9,
  reserved_unallocated_bytes: 10,
  other_processes_bytes: 11,
  recovered: 12,
} as const;
const J = { job_id: 1, model: 2, width: 3, height: 4, batch: 5 } as const;
const oCol = (k: keyof typeof O): SqlFragment => raw(`tupleElement(o, ${O[k]})`);
const jCol = (k: keyof typeof J): SqlFragment => raw(`tupleElement(j, ${J[k]})`);
const CONTEXT_COLS = raw(
  [
    ...Object.entries(O)
      .filter(([k]) => k !== 'ts_ms')
      .map(([k, i]) => `tupleElement(o, ${i}) AS ${k}`),
    ...Object.entries(J).map(([k, i]) => `tupleElement(j, ${i}) AS ${k}`),
  ].join(', '),
);

/**
 * The OOMs in the range with their job context, one row per (host, second, GPU), from the pre-joined
 * oom_context table (migration 0007): its states merged here, so unmerged parts never split a row.
 * Several OOMs on one GPU in one second count each (`n`) and are listed once.
 */
function merged(s: TenantScope, q: OomQuery, from: Date, to: Date): SqlFragment {
  const conds: SqlFragment[] = [sql`ts >= ${from} AND ts < ${to}`];
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  const post: SqlFragment[] = [raw('n > 0')];
  if (q.cause !== undefined) post.push(sql`${oCol('cause')} = ${q.cause}`);
  if (q.model !== undefined) post.push(sql`${jCol('model')} = ${q.model}`);
  return sql`(
    SELECT ts, host, n, o, j FROM (
      SELECT ts, host, gpu_key, uniqExactIfMerge(ooms) AS n, argMaxIfMerge(oom) AS o, argMaxIfMerge(job) AS j
      FROM ${s.rows('oom_context', joinSql(conds, ' AND '))}
      GROUP BY ts, host, gpu_key)
    WHERE ${joinSql(post, ' AND ')})`;
}

/** -1 (absent) and 0 (no job matched) are null. */
const pos = (v: Num): number | null => {
  const n = numOrNull(v);
  return n === null || n <= 0 ? null : n;
};
const present = (v: Num): number | null => {
  const n = numOrNull(v);
  return n === null || n < 0 ? null : n;
};

const ins = (m: Map<string, number>, k: string, c: number): void => {
  m.set(k, (m.get(k) ?? 0) + c);
};
const sorted = (m: Map<string, number>): CountByKey[] =>
  [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

export interface OomResult {
  total: number;
  by_cause: CountByKey[];
  by_model: CountByKey[];
  by_resolution: CountByKey[];
  by_batch: CountByKey[];
  by_gpu_tier: CountByKey[];
  events: OomRow[];
  truncated: boolean;
  advice: OomAdvice[];
}

/** The newest `limit + 1` OOMs, tried over the last day and week of the range before the whole range. */
async function newestOoms(s: TenantScope, q: OomQuery, from: Date, to: Date): Promise<OomContextRow[]> {
  const starts = [...[86_400, 7 * 86_400].map((w) => new Date(to.getTime() - w * 1000)).filter((d) => d > from), from];
  let rows: OomContextRow[] = [];
  for (const start of starts) {
    rows = await s.query<OomContextRow>(sql`
      SELECT toString(ts) AS ts_text, host, ${CONTEXT_COLS}
      FROM ${merged(s, q, start, to)} ORDER BY ts DESC, ${oCol('ts_ms')} DESC, host LIMIT ${q.limit + 1}`);
    if (rows.length > q.limit) break;
  }
  return rows;
}

interface OomSide {
  cause: string;
  max_total: Num;
  c: Num;
}
interface JobSide {
  model: string;
  width: Num;
  height: Num;
  batch: Num;
  c: Num;
}

/** Cause and GPU-tier counts from the OOM rows, model/resolution/batch counts from the OOM jobs. */
async function groupsJoined(s: TenantScope, q: OomQuery, from: Date, to: Date): Promise<{ ooms: OomSide[]; jobs: JobSide[] }> {
  const rows = await s.query<GroupRow>(sql`
    SELECT ${oCol('cause')} AS cause, ${jCol('model')} AS model, ${jCol('width')} AS width, ${jCol('height')} AS height, ${jCol('batch')} AS batch,
      max(${oCol('total_bytes')}) AS max_total, sum(n) AS c
    FROM ${merged(s, q, from, to)}
    GROUP BY cause, model, width, height, batch, intDiv(greatest(${oCol('total_bytes')}, 0), 1073741824)`);
  return { ooms: rows, jobs: rows };
}

/**
 * Unfiltered counts without the per-OOM merge: OOM rows straight from runtime_events (the sort key
 * starts with kind), OOM jobs from oom_jobs_1h for the whole hours of the range and from
 * runtime_events for the partial hours at its ends. The two sides are counted separately (the
 * groups are one-dimensional), so an OOM without its job counts as `unknown` model/resolution/batch.
 */
async function groupsFast(s: TenantScope, from: Date, to: Date): Promise<{ ooms: OomSide[]; jobs: JobSide[] }> {
  const hFrom = new Date(Math.ceil(from.getTime() / 3600_000) * 3600_000);
  const hTo = new Date(Math.floor(to.getTime() / 3600_000) * 3600_000);
  const whole = hFrom < hTo;
  const edges = whole ? sql`((ts >= ${from} AND ts < ${hFrom}) OR (ts >= ${hTo} AND ts < ${to}))` : sql`ts >= ${from} AND ts < ${to}`;
  const [ooms, edgeJobs, hourJobs] = await Promise.all([
    s.query<OomSide>(sql`
      SELECT cause, max(total_bytes) AS max_total, count() AS c
      FROM ${s.rows('runtime_events', sql`kind = 'oom' AND ts >= ${from} AND ts < ${to}`)}
      GROUP BY cause, intDiv(ifNull(total_bytes, 0), 1073741824)`),
    s.query<JobSide>(sql`
      SELECT model, width, height, batch, count() AS c
      FROM ${s.rows('runtime_events', sql`kind = 'job_end' AND ${edges}`, { prewhere: sql`outcome = 'oom'` })}
      GROUP BY model, width, height, batch`),
    whole
      ? s.query<JobSide>(sql`
        SELECT model, width, height, batch, countMerge(jobs) AS c
        FROM ${s.rows('oom_jobs_1h', sql`t >= ${hFrom} AND t < ${hTo}`)}
        GROUP BY model, width, height, batch`)
      : Promise.resolve([]),
  ]);
  return { ooms, jobs: [...edgeJobs, ...hourJobs] };
}

export async function queryOoms(s: TenantScope, q: OomQuery, from: Date, to: Date): Promise<OomResult> {
  const filtered = q.host !== undefined || q.cause !== undefined || q.model !== undefined;
  const [groups, list] = await Promise.all([filtered ? groupsJoined(s, q, from, to) : groupsFast(s, from, to), newestOoms(s, q, from, to)]);
  const byCause = new Map<string, number>(),
    byModel = new Map<string, number>(),
    byRes = new Map<string, number>(),
    byBatch = new Map<string, number>(),
    byTier = new Map<string, number>();
  let total = 0;
  for (const g of groups.ooms) {
    const c = numOrNull(g.c) ?? 0;
    total += c;
    ins(byCause, g.cause || 'unknown', c);
    const tier = tierOf(present(g.max_total));
    ins(byTier, tier === null ? 'unknown' : String(tier), c);
  }
  let jobs = 0;
  for (const g of groups.jobs) {
    const c = numOrNull(g.c) ?? 0;
    jobs += c;
    ins(byModel, g.model || 'unknown', c);
    const w = pos(g.width),
      h = pos(g.height);
    ins(byRes, w && h ? `${w}x${h}` : 'unknown', c);
    const b = pos(g.batch);
    ins(byBatch, b ? String(b) : 'unknown', c);
  }
  if (total > jobs) for (const m of [byModel, byRes, byBatch]) ins(m, 'unknown', total - jobs);
  const events: OomRow[] = list.slice(0, q.limit).map((r) => {
    const matched = r.job_id !== '' || r.model !== '';
    const opt = (v: Num): number | null => (matched ? pos(v) : null);
    const recovered = present(r.recovered);
    return {
      ts: chDateTimeToIso(r.ts_text),
      host: r.host,
      gpu_index: present(r.gpu_index),
      runtime: r.runtime,
      gpu_tier_gb: tierOf(present(r.total_bytes)),
      cause: r.cause || 'unknown',
      cause_rule: r.cause_rule,
      requested_bytes: present(r.requested_bytes),
      total_bytes: present(r.total_bytes),
      free_bytes: present(r.free_bytes),
      allocated_bytes: present(r.allocated_bytes),
      reserved_unallocated_bytes: present(r.reserved_unallocated_bytes),
      other_processes_bytes: present(r.other_processes_bytes),
      recovered: recovered === null ? null : recovered === 1,
      job_id: matched && r.job_id !== '' ? r.job_id : null,
      model: matched && r.model !== '' ? r.model : null,
      width: opt(r.width),
      height: opt(r.height),
      batch: opt(r.batch),
    };
  });
  const advice = sorted(byCause).map(({ key }) => ({ cause: key, what_to_try: oomAdviceFor(key) }));
  return {
    total,
    by_cause: sorted(byCause),
    by_model: sorted(byModel),
    by_resolution: sorted(byRes),
    by_batch: sorted(byBatch),
    by_gpu_tier: sorted(byTier),
    events,
    truncated: list.length > q.limit,
    advice,
  };
}
