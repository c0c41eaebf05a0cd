// Job statistics by model and runtime: outcome counts, completion ratio, images, duration and
// seconds-per-image percentiles (t-digest), from the job rollups (model-level ones when no host is
// asked for) or raw events by resolution.
import { JOB_OUTCOMES, type JobOutcome, type JobStatsQuery, type JobStatsRow } from '@renderwatch/schema';
import type { ResolvedRange } from '../resolution.js';
import type { TenantScope } from '../scope.js';
import { joinSql, raw, sql, type SqlFragment } from '../sql.js';
import { JOB_OUTCOME_COLUMNS, jobAggs, jobKindsFilter, numOrNull, PER_IMAGE_JOB, perImageAgg, timeCol, type JobOutcomeColumn } from './aggregates.js';

type Num = number | string | null;

/** The outcome count columns, from the outcome vocabulary (JOB_OUTCOMES) and its columns (JOB_OUTCOME_COLUMNS). */
export const OUTCOME_COLUMNS: readonly JobOutcomeColumn[] = JOB_OUTCOMES.map((o) => JOB_OUTCOME_COLUMNS[o]);

type StatsDbRow = { model: string; runtime: string; jobs: Num; images: Num; duration_q: Num[] } & Record<JobOutcomeColumn, Num>;

/** Each outcome's count of a row, under the outcome's name. */
export function outcomeCounts(x: Record<JobOutcomeColumn, Num>): Record<JobOutcome, number> {
  return Object.fromEntries(JOB_OUTCOMES.map((o) => [o, numOrNull(x[JOB_OUTCOME_COLUMNS[o]]) ?? 0])) as Record<JobOutcome, number>;
}

/** Without a host filter, the model-level rollups (migration 0008: no host, GPU or resolution in the key). */
function jobsTable(r: ResolvedRange, q: JobStatsQuery): string {
  return q.host === undefined && r.resolution !== 'raw' ? `jobs_model_${r.resolution}` : r.table('jobs');
}

/** The per-image rollups of migration 0028 beside them (model-level without a host), or raw events. */
function perImageTable(r: ResolvedRange, q: JobStatsQuery): string {
  if (r.resolution === 'raw') return 'runtime_events';
  return q.host === undefined ? `jobs_model_per_image_${r.resolution}` : `jobs_per_image_${r.resolution}`;
}

type PerImageDbRow = { model: string; runtime: string; seconds_per_image_q: Num[] };

export async function queryJobStats(s: TenantScope, r: ResolvedRange, q: JobStatsQuery): Promise<JobStatsRow[]> {
  const tc = timeCol(r.resolution);
  const conds: SqlFragment[] = [sql`${tc} >= ${r.from} AND ${tc} < ${r.to}`];
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  if (q.model !== undefined) conds.push(sql`model = ${q.model}`);
  if (q.runtime !== undefined) conds.push(sql`runtime = ${q.runtime}`);
  const where = joinSql(conds, ' AND ');
  const [rows, perImage] = await Promise.all([
    s.query<StatsDbRow>(sql`
      SELECT model, runtime, ${jobAggs(r.resolution, ['jobs', ...OUTCOME_COLUMNS, 'images', 'duration_q'])}
      FROM ${s.rows(jobsTable(r, q), sql`${where} AND ${jobKindsFilter(r.resolution)}`)}
      GROUP BY model, runtime
      HAVING jobs > 0
      ORDER BY jobs DESC, model, runtime
      LIMIT 500`),
    // its own query: the one above names a sum `images`, which ClickHouse would read inside this digest too
    s.query<PerImageDbRow>(sql`
      SELECT model, runtime, ${perImageAgg(r.resolution)}
      FROM ${s.rows(perImageTable(r, q), r.resolution === 'raw' ? sql`${where} AND ${raw(PER_IMAGE_JOB)}` : where)}
      GROUP BY model, runtime
      LIMIT 10000`),
  ]);
  const perImageOf = new Map(perImage.map((x) => [`${x.model}\u0000${x.runtime}`, (x.seconds_per_image_q ?? []).map((v) => numOrNull(v))]));
  return rows.map((x) => {
    const jobs = numOrNull(x.jobs) ?? 0;
    const counts = outcomeCounts(x);
    const [p50, p90, p99] = (x.duration_q ?? []).map((v) => numOrNull(v));
    // no row (no ok job with an image, or only minutes rolled up before migration 0028) → null
    const [i50, i90, i99] = perImageOf.get(`${x.model}\u0000${x.runtime}`) ?? [];
    return {
      model: x.model,
      runtime: x.runtime,
      jobs,
      ...counts,
      completion_ratio: jobs > 0 ? counts.ok / jobs : null,
      images: numOrNull(x.images) ?? 0,
      duration_p50_s: p50 ?? null,
      duration_p90_s: p90 ?? null,
      duration_p99_s: p99 ?? null,
      seconds_per_image_p50_s: i50 ?? null,
      seconds_per_image_p90_s: i90 ?? null,
      seconds_per_image_p99_s: i99 ?? null,
    };
  });
}
