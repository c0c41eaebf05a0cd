// Campaigns (docs/signals.md "Campaigns") from runtime_events (migration 0022 columns): the
// campaign ids active in the range, then every event of those campaigns (from up to
// CAMPAIGN_LOOKBACK_MS before the range, so a campaign that began earlier is whole), the node-cache
// events of their jobs, and the training runs of kohya / ai-toolkit / diffusers segmented per host.
// The figures are worked out in ./campaign-derive.ts and ./training-campaigns.ts.
import type { CampaignDetail, CampaignsQuery, CampaignSummary, WorkflowCacheQuery, WorkflowCacheRow } from '@renderwatch/schema';
import type { TenantScope } from '../scope.js';
import { joinSql, sql, type SqlFragment } from '../sql.js';
import { numOrNull } from './aggregates.js';
import { CAMPAIGN_IDLE_MS, deriveCampaign, type CampaignEventRow } from './campaign-derive.js';
import { addTrainingPreemptions, attributePreemptions, HOST_WIDE_CAMPAIGN, preemptionNotices } from './campaign-preemptions.js';
import { segmentTrainingRuns, TRAINING_RUNTIMES, trainingCampaign, trainingCampaignId, type TrainingEventRow } from './training-campaigns.js';

/** Events of a campaign read from this long before the range. */
export const CAMPAIGN_LOOKBACK_MS = 7 * 86400_000;
/** Campaigns listed at most. */
export const CAMPAIGN_LIST_CAP = 200;
/** A host with no host sample in this many whole minutes in a row inside a campaign was silent (an interruption). */
export const HOST_SILENT_MINUTES = 2;
/** A runtime or agent restart recorded this soon after a silence explains it (no separate host_silent). */
const EXPLAINED_WITHIN_MS = 2 * 60_000;

type Num = number | string | null;
const MS = sql`toUInt64(ts) * 1000 + ts_ms`;
const JOB_KINDS = sql`kind IN ('job_start', 'job_end', 'campaign')`;

function filters(q: { host?: string | undefined; runtime?: string | undefined }): SqlFragment[] {
  const out: SqlFragment[] = [];
  if (q.host !== undefined) out.push(sql`host = ${q.host}`);
  if (q.runtime !== undefined) out.push(sql`runtime = ${q.runtime}`);
  return out;
}

interface RawRow {
  ms: Num;
  host: string;
  runtime: string;
  kind: string;
  campaign_id: string;
  job_id: string;
  job_key: string;
  outcome: string;
  images: Num;
  campaign_label: string;
  workflow_fingerprint: string;
  planned_jobs: Num;
  planned_images: Num;
  interruption: string;
  lost_jobs: Num;
  cached_nodes: Num;
  executed_nodes: Num;
}

const toRow = (r: RawRow): CampaignEventRow => ({
  ms: Number(r.ms),
  host: r.host,
  runtime: r.runtime,
  kind: r.kind,
  campaign_id: r.campaign_id,
  job_id: r.job_id,
  job_key: r.job_key,
  outcome: r.outcome,
  images: numOrNull(r.images),
  label: r.campaign_label,
  fingerprint: r.workflow_fingerprint,
  planned_jobs: numOrNull(r.planned_jobs),
  planned_images: numOrNull(r.planned_images),
  interruption: r.interruption,
  lost_jobs: numOrNull(r.lost_jobs),
  cached_nodes: numOrNull(r.cached_nodes),
  executed_nodes: numOrNull(r.executed_nodes),
});

const COLUMNS = sql`${MS} AS ms, host, runtime, kind, campaign_id, job_id, job_key, outcome, images, campaign_label, workflow_fingerprint,
  planned_jobs, planned_images, interruption, lost_jobs, cached_nodes, executed_nodes`;

/** Every event of these campaigns, and the node_cache events of their jobs (tagged with the campaign here). */
async function campaignRows(s: TenantScope, ids: readonly string[], from: Date, to: Date): Promise<Map<string, CampaignEventRow[]>> {
  const out = new Map<string, CampaignEventRow[]>();
  if (ids.length === 0) return out;
  const since = new Date(from.getTime() - CAMPAIGN_LOOKBACK_MS);
  const inRange = sql`ts >= ${since} AND ts < ${to}`;
  // The campaign ids are read first (PREWHERE): the wide columns only of the granules holding them.
  const rows = await s.query<RawRow>(sql`
    SELECT ${COLUMNS}
    FROM ${s.rows('runtime_events', inRange, {
      prewhere: sql`${JOB_KINDS} AND campaign_id IN (${joinSql(
        ids.map((id) => sql`${id}`),
        ', ',
      )})`,
    })}
    ORDER BY ms`);
  const jobCampaign = new Map<string, string>();
  for (const r of rows) {
    const row = toRow(r);
    const list = out.get(row.campaign_id);
    if (list === undefined) out.set(row.campaign_id, [row]);
    else list.push(row);
    if (row.job_id !== '') jobCampaign.set(`${row.host}\u0000${row.job_id}`, row.campaign_id);
  }
  const jobIds = [...new Set(rows.filter((r) => r.job_id !== '').map((r) => r.job_id))];
  if (jobIds.length === 0) return out;
  const cache = await s.query<RawRow>(sql`
    SELECT ${COLUMNS}
    FROM ${s.rows(
      'runtime_events',
      sql`${inRange} AND job_id IN (${joinSql(
        jobIds.map((id) => sql`${id}`),
        ', ',
      )})`,
      { prewhere: sql`kind = 'node_cache'` },
    )}
    ORDER BY ms`);
  for (const r of cache) {
    const id = jobCampaign.get(`${r.host}\u0000${r.job_id}`);
    if (id !== undefined) out.get(id)?.push({ ...toRow(r), campaign_id: id });
  }
  return out;
}

/** Training runs with any progress in [from, to), read from CAMPAIGN_LOOKBACK_MS before. */
async function trainingRuns(
  s: TenantScope,
  q: { host?: string | undefined; runtime?: string | undefined },
  from: Date,
  to: Date,
  nowMs: number,
): Promise<CampaignDetail[]> {
  if (q.runtime !== undefined && !(TRAINING_RUNTIMES as readonly string[]).includes(q.runtime)) return [];
  const since = new Date(from.getTime() - CAMPAIGN_LOOKBACK_MS);
  const conds = [sql`ts >= ${since} AND ts < ${to}`, sql`runtime IN ('kohya', 'ai-toolkit', 'diffusers')`, ...filters(q)];
  const rows = await s.query<{ ms: Num; host: string; runtime: string; kind: string; epoch: Num; total_epochs: Num; step: Num; total_steps: Num }>(sql`
    SELECT ${MS} AS ms, host, runtime, kind, epoch, total_epochs, step, total_steps
    FROM ${s.rows('runtime_events', joinSql(conds, ' AND '), { prewhere: sql`kind IN ('runtime_start', 'training_progress', 'training_resumed')` })}
    ORDER BY host, runtime, ms, kind
    LIMIT 200000`);
  const byRun = new Map<string, TrainingEventRow[]>();
  for (const r of rows) {
    const k = `${r.host}\u0000${r.runtime}`;
    const row: TrainingEventRow = {
      ms: Number(r.ms),
      host: r.host,
      runtime: r.runtime,
      kind: r.kind,
      epoch: numOrNull(r.epoch),
      total_epochs: numOrNull(r.total_epochs),
      step: numOrNull(r.step),
      total_steps: numOrNull(r.total_steps),
    };
    // pushed, not copied: a run has up to 200,000 progress rows
    const list = byRun.get(k);
    if (list === undefined) byRun.set(k, [row]);
    else list.push(row);
  }
  await addTrainingPreemptions(s, byRun, since, to);
  const out: CampaignDetail[] = [];
  for (const events of byRun.values()) for (const run of segmentTrainingRuns(events)) if (run.lastMs >= from.getTime()) out.push(trainingCampaign(run, nowMs));
  return out;
}

/**
 * The interruptions read beside the campaigns' rows, both queries at once: `preemption` notices
 * (campaign-preemptions.ts) added first, then `host_silent` gaps (addHostSilences), which a
 * preemption row at the gap explains.
 */
async function addInterruptions(s: TenantScope, byCampaign: Map<string, CampaignEventRow[]>): Promise<void> {
  if (byCampaign.size === 0) return;
  // a notice joins a campaign up to CAMPAIGN_IDLE_MS after its last row: the host minutes are read that much further
  const [notices, minutes] = await Promise.all([preemptionNotices(s, byCampaign), hostMinutes(s, byCampaign, CAMPAIGN_IDLE_MS)]);
  attributePreemptions(byCampaign, notices);
  addHostSilences(byCampaign, minutes);
}

/** Minutes with a host sample (epoch ms) of each of the campaigns' hosts, over their rows' span and `extraMs` after it. */
async function hostMinutes(s: TenantScope, byCampaign: ReadonlyMap<string, readonly CampaignEventRow[]>, extraMs: number): Promise<Map<string, number[]>> {
  const byHost = new Map<string, number[]>();
  const all = [...byCampaign.values()].flat();
  if (all.length === 0) return byHost;
  const hosts = [...new Set(all.map((r) => r.host))];
  const from = new Date(Math.floor(Math.min(...all.map((r) => r.ms)) / 60_000) * 60_000);
  const to = new Date(Math.max(...all.map((r) => r.ms)) + extraMs + 60_000);
  const minutes = await s.query<{ host: string; m: Num }>(sql`
    SELECT host, toUInt32(toStartOfMinute(ts)) AS m
    FROM ${s.rows(
      'host_samples',
      sql`ts >= ${from} AND ts < ${to} AND host IN (${joinSql(
        hosts.map((h) => sql`${h}`),
        ', ',
      )})`,
    )}
    GROUP BY host, m
    ORDER BY host, m
    LIMIT 500000`);
  for (const r of minutes) {
    const list = byHost.get(r.host);
    if (list === undefined) byHost.set(r.host, [Number(r.m) * 1000]);
    else list.push(Number(r.m) * 1000);
  }
  return byHost;
}

/**
 * `host_silent` interruptions: within each campaign's span, HOST_SILENT_MINUTES or more whole minutes
 * in a row without a host sample of a host that has host samples there, unless the campaign recorded a restart between the gap's
 * start and EXPLAINED_WITHIN_MS after its end. Hosts without host samples in the span give none.
 * Added to the campaign's rows as `campaign` events at the end of the gap. `byHost`: hostMinutes
 * over at least each campaign's span.
 */
function addHostSilences(byCampaign: Map<string, CampaignEventRow[]>, byHost: ReadonlyMap<string, readonly number[]>): void {
  const spans = [...byCampaign.entries()].map(([id, rows]) => {
    const ms = rows.map((r) => r.ms);
    return { id, rows, hosts: [...new Set(rows.map((r) => r.host))], from: Math.min(...ms), to: Math.max(...ms) };
  });
  for (const span of spans) {
    for (const host of span.hosts) {
      const ms = (byHost.get(host) ?? []).filter((m) => m >= span.from - 60_000 && m <= span.to);
      for (let i = 1; i < ms.length; i++) {
        const gapFrom = (ms[i - 1] ?? 0) + 60_000;
        const gapTo = ms[i] ?? 0;
        if (gapTo - gapFrom < HOST_SILENT_MINUTES * 60_000 || gapTo < span.from || gapFrom > span.to) continue;
        const explained = span.rows.some((r) => r.kind === 'campaign' && r.interruption !== '' && r.ms >= gapFrom && r.ms <= gapTo + EXPLAINED_WITHIN_MS);
        if (explained) continue;
        span.rows.push({
          ...EMPTY_ROW,
          ms: gapTo,
          host,
          runtime: span.rows[0]?.runtime ?? '',
          kind: 'campaign',
          campaign_id: span.id,
          interruption: 'host_silent',
        });
      }
    }
    span.rows.sort((a, b) => a.ms - b.ms);
  }
}

const EMPTY_ROW: CampaignEventRow = {
  ms: 0,
  host: '',
  runtime: '',
  kind: '',
  campaign_id: '',
  job_id: '',
  job_key: '',
  outcome: '',
  images: null,
  label: '',
  fingerprint: '',
  planned_jobs: null,
  planned_images: null,
  interruption: '',
  lost_jobs: null,
  cached_nodes: null,
  executed_nodes: null,
};

const summary = ({ interruption_list: _i, cache_hit_ratio: _c, total_epochs: _t, last_epoch: _l, ...rest }: CampaignDetail): CampaignSummary => rest;

/** Job campaigns (not training runs) with a job event in [from, to), at most CAMPAIGN_LIST_CAP, newest activity first. */
async function jobCampaigns(s: TenantScope, q: CampaignsQuery, from: Date, to: Date, nowMs: number): Promise<CampaignDetail[]> {
  const conds = [sql`ts >= ${from} AND ts < ${to}`, ...filters(q)];
  const ids = await s.query<{ campaign_id: string }>(sql`
    SELECT campaign_id, max(${MS}) AS last_ms
    FROM ${s.rows('runtime_events', joinSql(conds, ' AND '), { prewhere: sql`${JOB_KINDS} AND campaign_id NOT IN ('', ${HOST_WIDE_CAMPAIGN})` })}
    GROUP BY campaign_id
    ORDER BY last_ms DESC
    LIMIT ${CAMPAIGN_LIST_CAP}`);
  const rows = await campaignRows(
    s,
    ids.map((r) => r.campaign_id),
    from,
    to,
  );
  await addInterruptions(s, rows);
  return [...rows.entries()].map(([id, r]) => deriveCampaign(id, r, nowMs));
}

export async function queryCampaigns(s: TenantScope, q: CampaignsQuery, from: Date, to: Date, nowMs: number): Promise<CampaignSummary[]> {
  // job campaigns and training runs are read at the same time
  const [jobs, training] = await Promise.all([jobCampaigns(s, q, from, to, nowMs), trainingRuns(s, q, from, to, nowMs)]);
  const all = [...jobs, ...training];
  return all
    .filter((c) => q.status === undefined || c.status === q.status)
    .sort((a, b) => b.last_at.localeCompare(a.last_at) || a.id.localeCompare(b.id))
    .slice(0, CAMPAIGN_LIST_CAP)
    .map(summary);
}

/** One campaign by id, or undefined. Training runs (`t-`) are found among the runs of the range. */
export async function queryCampaign(s: TenantScope, id: string, from: Date, to: Date, nowMs: number): Promise<CampaignDetail | undefined> {
  if (id.startsWith('t-')) return (await trainingRuns(s, {}, from, to, nowMs)).find((c) => c.id === id);
  if (id === HOST_WIDE_CAMPAIGN) return undefined;
  const all = await campaignRows(s, [id], from, to);
  await addInterruptions(s, all);
  const rows = all.get(id);
  return rows === undefined || rows.length === 0 ? undefined : deriveCampaign(id, rows, nowMs);
}

export { trainingCampaignId };

/** Node-cache hit rate per workflow fingerprint: node_cache events that carry one (agents from migration 0022 on). */
export async function queryWorkflowCache(s: TenantScope, q: WorkflowCacheQuery, from: Date, to: Date): Promise<WorkflowCacheRow[]> {
  const conds = [sql`ts >= ${from} AND ts < ${to}`, sql`workflow_fingerprint != ''`];
  if (q.host !== undefined) conds.push(sql`host = ${q.host}`);
  const rows = await s.query<{ workflow_fingerprint: string; jobs: Num; jobs_with_hits: Num; cached: Num; executed: Num }>(sql`
    SELECT workflow_fingerprint, uniqExact(host, job_id) AS jobs, uniqExactIf(host, job_id, cached_nodes > 0) AS jobs_with_hits,
      sum(cached_nodes) AS cached, sum(executed_nodes) AS executed
    FROM (
      SELECT host, job_id, workflow_fingerprint, any(cached_nodes) AS cached_nodes, any(executed_nodes) AS executed_nodes
      FROM ${s.rows('runtime_events', joinSql(conds, ' AND '), { prewhere: sql`kind = 'node_cache'` })}
      GROUP BY host, job_id, workflow_fingerprint
    )
    GROUP BY workflow_fingerprint
    ORDER BY jobs DESC, workflow_fingerprint
    LIMIT 500`);
  return rows.map((r) => {
    const cached = numOrNull(r.cached) ?? 0;
    const executed = numOrNull(r.executed) ?? 0;
    return {
      workflow_fingerprint: r.workflow_fingerprint,
      jobs: numOrNull(r.jobs) ?? 0,
      jobs_with_hits: numOrNull(r.jobs_with_hits) ?? 0,
      cached_nodes: cached,
      executed_nodes: executed,
      hit_ratio: executed > 0 ? Math.round((cached / executed) * 10_000) / 10_000 : null,
    };
  });
}
