// Cost per campaign (`GET /api/v1/cost?by=campaign`, docs/api.md "Cost per campaign"): each GPU
// sample in the range — what it stands for, `interval_ms` ending at its timestamp, and its energy
// counter increase — is shared among the jobs whose window overlaps it on the same GPU (host and
// GPU index): job j gets overlap_j / max(interval, Σ overlaps). So one job alone on the GPU for the
// whole interval gets all of it, two jobs running together get half each, and the shares of a sample
// never add up to more than the sample. A campaign's GPU time and energy are its jobs' shares;
// money is that GPU time at its GPU model's price.
//
// Job window: job_start to job_end (job_end - duration_s without a start). A job that started and
// never ended holds the GPU until the next event of its campaign on its host (the interruption that
// took it, or the next job), or until now when there is none (still running). Jobs without a GPU
// index run on the host's GPU when it has one, else they get no GPU time (`unattributed_jobs`).
// Jobs outside campaigns on the same GPU take their share too. ClickHouse 18.16 has no range joins:
// samples and job windows meet on (host, GPU, minute) and the overlap is taken within that minute.
//
// Job windows, the campaigns found, their jobs, images, labels and runtimes come from
// `campaign_job_spans` (migration 0029: one row per job, host, GPU, campaign and hour of its events,
// rolled up at insert time with states a repeated event does not change), not from raw job events; the
// samples stay raw because which jobs share a sample is known only when their events arrive.
import type { CostCampaign, CostQuery } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';
import { CAMPAIGN_LIST_CAP, CAMPAIGN_LOOKBACK_MS } from './campaigns.js';
import { priceFor, type GpuPrice } from './gpu-prices.js';

type Num = number | string | null;
const J_PER_KWH = 3.6e6;
const HOUR_MS = 3600_000;
/** Job events are read from this long around the range, so jobs running across its edges have both ends. */
export const JOB_EDGE_MS = 86400_000;
/** At most this many (campaign, GPU) windows filter the samples (~200 bytes of SQL each; ClickHouse parses 256 KiB). */
const MAX_WINDOWS = 300;
/** The GPU index of a job whose GPU is not known (no such GPU reports samples). */
const NO_GPU = 65535;
/** Milliseconds as Int64 throughout: ClickHouse's UInt64 - UInt64 is Int64, and if()/greatest() refuse to mix them. */
const MS = sql`toInt64(toUInt32(ts)) * 1000 + ts_ms`;

const list = (xs: readonly string[]): SqlFragment =>
  joinSql(
    xs.map((x) => sql`${x}`),
    ', ',
  );

interface Ctx {
  s: TenantScope;
  hosts: readonly string[];
  ids: readonly string[];
  from: Date;
  to: Date;
  /** Job events are read from a day before the range to a day after it. */
  since: Date;
  until: Date;
  nowMs: number;
  /** Hosts with exactly one GPU and its index: where jobs without a GPU index run. */
  single: { hosts: string[]; gpus: number[] };
  /** `(host, GPU index)` tuples the campaigns' jobs ran on: the only GPUs whose samples are read. */
  gpus: SqlFragment;
  /** `gpus` and `(host, NO_GPU)` for each host: the `campaign_job_spans` keys whose jobs can run on them. */
  spanGpus: SqlFragment;
  /** The GPU indexes in `spanGpus`, and the UUIDs of the GPUs in `gpus` (with ''): filters on sorting keys (a tuple IN is not one on 18.16). */
  gpuKeys: SqlFragment;
  uuids: string[];
}

/** The host's only GPU (for a job that named none), or NO_GPU. */
const onlyGpu = (c: Ctx): SqlFragment =>
  c.single.hosts.length === 0 ? sql`toUInt16(${NO_GPU})` : sql`toUInt16(transform(host, ${c.single.hosts}, ${c.single.gpus.map(String)}, toString(${NO_GPU})))`;

/** Rows of `campaign_job_spans` (migration 0029: one per job, host, GPU, campaign and hour of its events) in hours [since, until). */
const spans = (c: Ctx, since: Date, until: Date, where: SqlFragment, prewhere?: SqlFragment): SqlFragment =>
  c.s.rows('campaign_job_spans', joinSql([sql`t >= ${since} AND t < ${until}`, where], ' AND '), prewhere === undefined ? {} : { prewhere });

/** The job's GPU index from its rows' `gpu_key` (NO_GPU: none named), the host's only GPU when none. */
const jobGpu = (c: Ctx): SqlFragment => sql`toUInt16(if(countIf(gpu_key != ${NO_GPU}) > 0, anyIf(gpu_key, gpu_key != ${NO_GPU}), ${onlyGpu(c)}))`;

/**
 * One row per job on the campaigns' GPUs: host, job id, campaign ('' outside campaigns), GPU, first
 * start, last end (0 when none), whether its end carries a duration and which. From
 * `campaign_job_spans`: the rows of each (host, GPU) in `c.gpus` and the host's rows without a GPU
 * index, merged per job as the raw query grouped its events.
 */
function perJobSql(c: Ctx): SqlFragment {
  return sql`
    SELECT host, job_id, anyIf(campaign_id, campaign_id != '') AS c, ${jobGpu(c)} AS gi,
      if(maxMerge(has_start) > 0, minIfMerge(start_ms), toInt64(0)) AS s0,
      if(maxMerge(has_end) > 0, maxIfMerge(end_ms), toInt64(0)) AS e0,
      maxMerge(has_duration) AS hd, anyIfMerge(job_duration_s) AS dur
    FROM ${spans(c, c.since, c.until, sql`gpu_key IN (${c.gpuKeys}) AND (host, gpu_key) IN (${c.spanGpus})`, sql`host IN (${list(c.hosts)})`)}
    GROUP BY host, job_id`;
}

const jobKey = (host: string, job: string): string => `${host}\u0000${job}`;

/** A job's start: its job_start, else its job_end - duration_s (the job_end when it has none). */
const JOB_START = sql`if(e0 > 0, if(s0 > 0, least(s0, e0), if(hd = 0, e0, e0 - least(e0, toInt64(greatest(0, dur) * 1000)))), s0)`;

interface Windows {
  /** Where each campaign job that started and never ended stops holding its GPU. */
  lost: Map<string, number>;
  /** Per campaign and GPU, from its first job's start to its last job's end: no sample outside these is any campaign's. */
  spans: { host: string; gi: number; lo: number; hi: number }[];
}

/**
 * The campaigns' jobs on their GPUs, per campaign and GPU: the time from the first one's start to the
 * last one's end, and the jobs that started and never ended (the prompts a restart took). Such a job
 * holds its GPU until the first event of its campaign on its host after its start (the interruption
 * that took it, or the next job), or now when there is none; worked out here for those few jobs.
 */
async function campaignWindows(c: Ctx): Promise<Windows> {
  const rows = await c.s.query<{ host: string; gi: Num; c: string; lo: Num; hi: Num; open_ids: string[]; open_starts: Num[] }>(sql`
    SELECT host, gi, c, min(js) AS lo, max(e0) AS hi, groupArrayIf(job_id, e0 = 0) AS open_ids, groupArrayIf(s0, e0 = 0) AS open_starts
    FROM (SELECT host, job_id, c, gi, s0, e0, ${JOB_START} AS js FROM (${perJobSql(c)}) WHERE c != '')
    WHERE (host, gi) IN (${c.gpus})
    GROUP BY host, gi, c`);
  const lost = new Map<string, number>();
  const open = rows.filter((r) => r.open_ids.length > 0);
  const events =
    open.length === 0
      ? []
      : await c.s.query<{ host: string; c: string; evs: Num[] }>(sql`
    SELECT host, campaign_id AS c, groupArray(${MS}) AS evs
    FROM ${c.s.rows('runtime_events', sql`ts >= ${c.since} AND ts < ${c.until} AND host IN (${list([...new Set(open.map((o) => o.host))])})`, {
      prewhere: sql`kind IN ('job_start', 'job_end', 'campaign') AND campaign_id IN (${list([...new Set(open.map((o) => o.c))])})`,
    })}
    GROUP BY host, c`);
  const gpuSpans = rows.map((r) => {
    let hi = Number(r.hi);
    const evs = (events.find((e) => e.host === r.host && e.c === r.c)?.evs ?? []).map(Number);
    for (const [i, id] of r.open_ids.entries()) {
      const s0 = Number(r.open_starts[i]);
      let end = 0;
      for (const x of evs) if (x > s0 && (end === 0 || x < end)) end = x;
      const je = end > 0 ? end : c.nowMs;
      lost.set(jobKey(r.host, id), je);
      hi = Math.max(hi, je);
    }
    return { host: r.host, gi: Number(r.gi), lo: Number(r.lo), hi };
  });
  return { lost, spans: gpuSpans };
}

/** One row per job on the campaigns' GPUs with its window [js, je), GPU and campaign; `lost`: the ends of jobs that never ended. */
function jobsSql(c: Ctx, lost: Map<string, number>): SqlFragment {
  const je =
    lost.size === 0
      ? sql`toInt64(${c.nowMs})`
      : sql`toInt64(transform(concat(host, ${'\u0000'}, job_id), ${[...lost.keys()]}, ${[...lost.values()]}, toUInt64(${c.nowMs})))`;
  return sql`
    SELECT host, job_id, c, gi, ${JOB_START} AS js, if(e0 > 0, e0, ${je}) AS je
    FROM (${perJobSql(c)})
    WHERE (e0 > 0 OR c != '')`;
}

/** GPU time (ms), energy (J) and samples with an energy reading shared to each campaign, per GPU model. */
async function sharesOf(c: Ctx): Promise<{ c: string; gn: string; ms: Num; joules: Num; en: Num }[]> {
  const w = await campaignWindows(c);
  if (w.spans.length === 0) return [];
  // only samples overlapping a campaign's time on its GPU can be shared to a campaign (their other jobs
  // still count); with more windows than MAX_WINDOWS the filter would make the query too long: all samples
  const during =
    w.spans.length > MAX_WINDOWS
      ? sql`1`
      : joinSql(
          w.spans.map(
            (x) =>
              sql`(host = ${x.host} AND gpu_index = ${x.gi} AND ts >= ${new Date(Math.floor(x.lo / 1000) * 1000)} AND ${MS} > ${x.lo} AND ${MS} - toInt64(assumeNotNull(interval_ms)) < ${x.hi})`,
          ),
          ' OR ',
        );
  const samples = sql`
    SELECT host, gpu_index AS gi, gpu_uuid AS u, t, iv, ed, he, gn,
      arrayJoin(arrayMap(x -> toInt64(x) + intDiv(t - iv, 60000), range(toUInt64(intDiv(t, 60000) - intDiv(t - iv, 60000) + 1)))) AS b
    FROM (
      SELECT host, gpu_index, gpu_uuid, ${MS} AS t, toInt64(assumeNotNull(interval_ms)) AS iv,
        ifNull(energy_delta_joules, 0) AS ed, toUInt8(isNotNull(energy_delta_joules)) AS he, gpu_name AS gn
      FROM ${c.s.rows(
        'gpu_samples',
        sql`ts >= ${c.from} AND ts < ${c.to} AND isNotNull(interval_ms) AND interval_ms > 0 AND (host, gpu_index) IN (${c.gpus}) AND (${during})`,
        {
          prewhere: sql`host IN (${list(c.hosts)}) AND gpu_uuid IN (${list(c.uuids)})`,
        },
      )}
    )`;
  const jobs = sql`
    SELECT host, gi, job_id, c, js, je,
      arrayJoin(arrayMap(x -> toInt64(x) + intDiv(js, 60000), range(toUInt64(intDiv(je, 60000) - intDiv(js, 60000) + 1)))) AS b
    FROM (${jobsSql(c, w.lost)})
    WHERE je > js AND (host, gi) IN (${c.gpus})`;
  return c.s.query(sql`
    SELECT c, gn, sum(siv * o / greatest(siv, tot)) AS ms, sum(sed * o / greatest(siv, tot)) AS joules, sum(she * o / greatest(siv, tot)) AS en
    FROM (
      SELECT host, u, t, any(piv) AS siv, any(ped) AS sed, any(phe) AS she, any(pgn) AS gn, groupArray(jc) AS cs, groupArray(jo) AS os, sum(jo) AS tot
      FROM (
        SELECT host, u, t, job_id, b, any(iv) AS piv, any(ed) AS ped, any(he) AS phe, any(gn) AS pgn, any(c) AS jc,
          any(least(least(t, je), (b + 1) * 60000) - greatest(greatest(t - iv, js), b * 60000)) AS jo
        FROM (${samples}) AS s ALL INNER JOIN (${jobs}) AS j USING (host, gi, b)
        GROUP BY host, u, t, job_id, b
        HAVING jo > 0
      )
      GROUP BY host, u, t
    )
    ARRAY JOIN cs AS c, os AS o
    WHERE c != ''
    GROUP BY c, gn`);
}

/** Jobs that ended in the range per campaign, their images, and those without a GPU. */
async function jobCounts(c: Ctx): Promise<{ c: string; jobs: Num; images: Num; unattributed: Num }[]> {
  const since = new Date(c.from.getTime() - JOB_EDGE_MS);
  return c.s.query(sql`
    SELECT c, count() AS jobs, sum(img) AS images, countIf(gi = ${NO_GPU}) AS unattributed
    FROM (
      SELECT host, job_id, any(campaign_id) AS c, ${jobGpu(c)} AS gi, anyIfMerge(job_images) AS img,
        maxMerge(has_end) AS ends, maxIfMerge(end_ms) AS e0
      FROM ${spans(c, since, c.to, sql`host IN (${list(c.hosts)})`, sql`campaign_id IN (${list(c.ids)})`)}
      GROUP BY host, job_id
    )
    WHERE ends > 0 AND e0 >= ${c.from.getTime()}
    GROUP BY c`);
}

/** Campaigns with a job in [from, to), newest activity first, cost worked out per campaign (see the file's head). */
export function queryCampaignCost(s: TenantScope, from: Date, to: Date, q: CostQuery, prices: readonly GpuPrice[], nowMs: number): Promise<CostCampaign[]> {
  return campaignCosts(s, from, to, q, undefined, prices, nowMs);
}

/**
 * One campaign's row of `queryCampaignCost` (the same attribution, the same figures for the same
 * range: the other jobs on its GPUs still take their shares); undefined when it had no job in [from, to).
 */
export async function queryOneCampaignCost(
  s: TenantScope,
  id: string,
  from: Date,
  to: Date,
  prices: readonly GpuPrice[],
  nowMs: number,
): Promise<CostCampaign | undefined> {
  return (await campaignCosts(s, from, to, {}, id, prices, nowMs))[0];
}

async function campaignCosts(
  s: TenantScope,
  from: Date,
  to: Date,
  q: Pick<CostQuery, 'host'>,
  only: string | undefined,
  prices: readonly GpuPrice[],
  nowMs: number,
): Promise<CostCampaign[]> {
  const host = q.host === undefined ? [] : [sql`host = ${q.host}`];
  const one = only === undefined ? [] : [sql`campaign_id = ${only}`];
  // campaigns with a job event in [from, to) (whole hours: exactly the spans' hours in it)
  const inRange = (): SqlFragment =>
    s.rows('campaign_job_spans', joinSql([sql`t >= ${from} AND t < ${to}`, ...host], ' AND '), {
      prewhere: joinSql([sql`campaign_id != ''`, ...one], ' AND '),
    });
  // beside it, the GPUs of the hosts those campaigns ran on (all of them, not only the first 200's)
  const [found, gpuSets] = await Promise.all([
    s.query<{ campaign_id: string; hosts: string[]; gpus: [string, Num][] }>(sql`
      SELECT campaign_id, groupUniqArray(host) AS hosts, groupUniqArray(tuple(host, gpu_key)) AS gpus, max(lm) AS last_ms
      FROM (SELECT campaign_id, host, gpu_key, maxMerge(last_ms) AS lm FROM ${inRange()} GROUP BY campaign_id, host, gpu_key)
      GROUP BY campaign_id
      ORDER BY last_ms DESC, campaign_id
      LIMIT ${CAMPAIGN_LIST_CAP}`),
    s.query<{ host: string; gpus: Num[]; uuids: [Num, string][] }>(sql`
      SELECT host, groupUniqArray(gpu_index) AS gpus, groupUniqArray(tuple(gpu_index, gpu_uuid)) AS uuids
      FROM ${s.rows(
        'gpu_cost_1h',
        sql`t >= ${new Date(Math.floor((from.getTime() - JOB_EDGE_MS) / HOUR_MS) * HOUR_MS)} AND t < ${to} AND gpu_uuid != '' AND host IN (SELECT host FROM ${inRange()})`,
      )}
      GROUP BY host`),
  ]);
  if (found.length === 0) return [];
  const ids = found.map((r) => r.campaign_id);
  const hosts = q.host === undefined ? [...new Set(found.flatMap((r) => r.hosts))].sort() : [q.host];
  const singles = gpuSets.filter((g) => g.gpus.length === 1);
  // the GPUs the campaigns' jobs named, and the only GPU of a host for jobs that named none
  const soleGpu = new Map(singles.map((g) => [g.host, Number(g.gpus[0])]));
  const pairs = new Map<string, SqlFragment>();
  // the pairs' GPU indexes and UUIDs (and '' for samples without one): sorting keys, so the reads use the indexes
  const gpuKeys = new Set([NO_GPU]);
  const uuids = new Set(['']);
  for (const [h, g] of found.flatMap((r) => r.gpus)) {
    const gpu = Number(g) === NO_GPU ? soleGpu.get(h) : Number(g);
    if (gpu === undefined || !hosts.includes(h)) continue;
    pairs.set(`${h}\u0000${gpu}`, sql`(${h}, ${gpu})`);
    gpuKeys.add(gpu);
    for (const [i, u] of gpuSets.find((x) => x.host === h)?.uuids ?? []) if (Number(i) === gpu) uuids.add(u);
  }
  const ctx: Ctx = {
    s,
    hosts,
    ids,
    from,
    to,
    since: new Date(from.getTime() - JOB_EDGE_MS),
    until: new Date(to.getTime() + JOB_EDGE_MS),
    nowMs,
    single: { hosts: singles.map((g) => g.host), gpus: singles.map((g) => Number(g.gpus[0])) },
    gpus: joinSql([...pairs.values()], ', '),
    spanGpus: joinSql([...pairs.values(), ...hosts.map((h) => sql`(${h}, ${NO_GPU})`)], ', '),
    gpuKeys: joinSql(
      [...gpuKeys].map((g) => sql`${g}`),
      ', ',
    ),
    uuids: [...uuids],
  };
  const since = new Date(from.getTime() - CAMPAIGN_LOOKBACK_MS);
  const [meta, shares, counts] = await Promise.all([
    // label, runtime and hosts from the campaigns' job spans and their `campaign` events
    s.query<{ campaign_id: string; label: string; runtime: string; hosts: string[] }>(sql`
      SELECT campaign_id, anyIf(l, l != '') AS label, anyIf(r, r != '') AS runtime, groupUniqArray(host) AS hosts
      FROM (
        SELECT campaign_id, host, anyIfMerge(label_any) AS l, anyIfMerge(runtime_any) AS r
        FROM ${s.rows('campaign_job_spans', joinSql([sql`t >= ${since} AND t < ${to}`, ...host], ' AND '), {
          prewhere: sql`campaign_id IN (${list(ids)})`,
        })}
        GROUP BY campaign_id, host
        UNION ALL
        SELECT campaign_id, host, campaign_label AS l, runtime AS r
        FROM ${s.rows('runtime_events', joinSql([sql`ts >= ${since} AND ts < ${to}`, ...host], ' AND '), {
          prewhere: sql`kind = 'campaign' AND campaign_id IN (${list(ids)})`,
        })}
      )
      GROUP BY campaign_id`),
    pairs.size === 0 ? [] : sharesOf(ctx),
    jobCounts(ctx),
  ]);
  return campaignRows(ids, meta, shares, counts, prices);
}

/** The rows of the answer from the queries' results: pure. */
export function campaignRows(
  ids: readonly string[],
  meta: readonly { campaign_id: string; label: string; runtime: string; hosts: string[] }[],
  shares: readonly { c: string; gn: string; ms: Num; joules: Num; en: Num }[],
  counts: readonly { c: string; jobs: Num; images: Num; unattributed: Num }[],
  prices: readonly GpuPrice[],
): CostCampaign[] {
  const rows = ids.map((id): CostCampaign => {
    const m = meta.find((x) => x.campaign_id === id);
    const n = counts.find((x) => x.c === id);
    const mine = shares.filter((x) => x.c === id && (numOrNull(x.ms) ?? 0) > 0);
    let hours = 0;
    let joules: number | null = null;
    let cost: number | null = null;
    let unpriced = 0;
    for (const x of mine) {
      const h = (numOrNull(x.ms) ?? 0) / HOUR_MS;
      hours += h;
      if ((numOrNull(x.en) ?? 0) > 0) joules = (joules ?? 0) + (numOrNull(x.joules) ?? 0);
      const price = priceFor(prices, x.gn);
      if (price === null) unpriced += h;
      else cost = (cost ?? 0) + h * price;
    }
    const images = numOrNull(n?.images ?? null) ?? 0;
    return {
      id,
      label: m === undefined || m.label === '' ? null : m.label,
      runtime: m?.runtime ?? '',
      hosts: [...(m?.hosts ?? [])].sort(),
      gpu_names: [...new Set(mine.map((x) => x.gn))].sort(),
      jobs: numOrNull(n?.jobs ?? null) ?? 0,
      images,
      unattributed_jobs: numOrNull(n?.unattributed ?? null) ?? 0,
      gpu_hours: hours,
      energy_kwh: joules === null ? null : joules / J_PER_KWH,
      cost,
      unpriced_gpu_hours: unpriced,
      cost_per_image: cost !== null && images > 0 ? cost / images : null,
    };
  });
  return rows.sort((a, b) => (b.cost ?? -1) - (a.cost ?? -1) || b.gpu_hours - a.gpu_hours || a.id.localeCompare(b.id));
}
