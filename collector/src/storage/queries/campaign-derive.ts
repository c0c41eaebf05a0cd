// A campaign's figures from its events (docs/signals.md "Campaigns"). Pure: the rows come from
// ./campaigns.ts. Jobs are keyed by job id, so a row stored twice (a retried batch before its merge)
// counts once; a job done twice under two prompt ids shares its job key and counts once as done,
// once as redone.
import type { CampaignDetail, CampaignInterruption, CampaignSource, CampaignStatus, InterruptionKind } from '@renderwatch/schema';
import { INTERRUPTION_KINDS } from '@renderwatch/schema';

export interface CampaignEventRow {
  ms: number;
  host: string;
  runtime: string;
  kind: string;
  campaign_id: string;
  job_id: string;
  job_key: string;
  outcome: string;
  images: number | null;
  label: string;
  fingerprint: string;
  planned_jobs: number | null;
  planned_images: number | null;
  interruption: string;
  lost_jobs: number | null;
  cached_nodes: number | null;
  executed_nodes: number | null;
}

/** A campaign without new work for this long is over: finished, or stalled when planned work is left. */
export const CAMPAIGN_IDLE_MS = 10 * 60_000;

interface Job {
  id: string;
  key: string;
  startMs?: number;
  endMs?: number;
  outcome?: string;
  images: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
const isKind = (v: string): v is InterruptionKind => (INTERRUPTION_KINDS as readonly string[]).includes(v);

function sourceOf(id: string, runtime: string): CampaignSource {
  if (id.startsWith('l-')) return 'label';
  if (id.startsWith('b-') || runtime === 'a1111' || runtime === 'forge') return 'a1111_batch';
  if (id.startsWith('t-')) return 'training_run';
  return 'comfyui_client';
}

function jobsOf(rows: readonly CampaignEventRow[]): Job[] {
  const jobs = new Map<string, Job>();
  for (const r of rows) {
    if ((r.kind !== 'job_start' && r.kind !== 'job_end') || r.job_id === '') continue;
    const j = jobs.get(r.job_id) ?? { id: r.job_id, key: r.job_id, images: 0 };
    if (r.kind === 'job_start') j.startMs = j.startMs === undefined ? r.ms : Math.min(j.startMs, r.ms);
    else {
      j.endMs = r.ms;
      j.outcome = r.outcome;
      j.images = r.images ?? 0;
      if (r.job_key !== '') j.key = r.job_key;
    }
    jobs.set(r.job_id, j);
  }
  return [...jobs.values()].filter((j) => j.endMs !== undefined).sort((a, b) => (a.endMs ?? 0) - (b.endMs ?? 0));
}

/** Interruptions in time order, one per kind and millisecond (two agents' copies of one restart count once). */
function interruptionsOf(rows: readonly CampaignEventRow[]): { ms: number; kind: InterruptionKind; host: string; lost: number; missing: number | null }[] {
  const seen = new Set<string>();
  const out: { ms: number; kind: InterruptionKind; host: string; lost: number; missing: number | null }[] = [];
  for (const r of [...rows].sort((a, b) => a.ms - b.ms)) {
    if (r.kind !== 'campaign' || !isKind(r.interruption)) continue;
    const k = `${r.interruption}@${r.ms}@${r.host}`;
    if (seen.has(k)) continue;
    seen.add(k);
    // a campaign event's `images` column holds the images found missing after the interruption
    out.push({ ms: r.ms, kind: r.interruption, host: r.host, lost: r.lost_jobs ?? 0, missing: r.images });
  }
  return out;
}

/** The latest non-null value of a campaign event field. */
function latest(rows: readonly CampaignEventRow[], pick: (r: CampaignEventRow) => number | null): number | null {
  let at = -1;
  let v: number | null = null;
  for (const r of rows) {
    const x = r.kind === 'campaign' ? pick(r) : null;
    if (x !== null && r.ms >= at) {
      at = r.ms;
      v = x;
    }
  }
  return v;
}

/** What followed one interruption (until the next one): lost time, jobs redone vs resumed. */
function followUp(jobs: readonly Job[], at: number, until: number): Omit<CampaignInterruption, 'kind' | 'at' | 'host' | 'jobs_lost'> {
  const doneBefore = new Set(jobs.filter((j) => (j.endMs ?? 0) <= at && j.outcome === 'ok').map((j) => j.key));
  const lastEndBefore = Math.max(...jobs.filter((j) => (j.endMs ?? 0) <= at).map((j) => j.endMs ?? 0), Number.NEGATIVE_INFINITY);
  const after = jobs.filter((j) => (j.endMs ?? 0) > at && (j.endMs ?? 0) <= until);
  const firstStartAfter = Math.min(...after.map((j) => j.startMs ?? j.endMs ?? 0), Number.POSITIVE_INFINITY);
  const ok = after.filter((j) => j.outcome === 'ok');
  return {
    time_lost_s: Number.isFinite(lastEndBefore) && Number.isFinite(firstStartAfter) ? round(Math.max(0, firstStartAfter - lastEndBefore) / 1000) : null,
    jobs_redone: ok.filter((j) => doneBefore.has(j.key)).length,
    jobs_resumed: ok.filter((j) => !doneBefore.has(j.key)).length,
    images_missing: null,
    training_resume: null,
    resumed_from_epoch: null,
  };
}

/** Everything /api/v1/campaigns/{id} answers for a job campaign (ComfyUI, A1111/Forge batch). */
export function deriveCampaign(id: string, rows: readonly CampaignEventRow[], nowMs: number): CampaignDetail {
  const jobs = jobsOf(rows);
  const marks = interruptionsOf(rows);
  const interruption_list: CampaignInterruption[] = marks.map((m, i) => ({
    kind: m.kind,
    at: iso(m.ms),
    host: m.host,
    jobs_lost: m.lost,
    ...followUp(jobs, m.ms, marks[i + 1]?.ms ?? Number.POSITIVE_INFINITY),
    images_missing: m.missing,
  }));

  // done: distinct keys that ended ok (the first time); redone: ok ends of a key already done
  const okKeys = new Map<string, Job>();
  let redone = 0;
  for (const j of jobs) {
    if (j.outcome !== 'ok') continue;
    if (okKeys.has(j.key)) redone++;
    else okKeys.set(j.key, j);
  }
  const failedKeys = new Set(jobs.filter((j) => j.outcome !== 'ok' && !okKeys.has(j.key)).map((j) => j.key));
  const done = okKeys.size;
  const images = [...okKeys.values()].reduce((a, j) => a + j.images, 0);

  const times = rows.map((r) => r.ms);
  const firstMs = Math.min(...jobs.map((j) => j.startMs ?? j.endMs ?? Number.POSITIVE_INFINITY), ...times);
  const lastMs = Math.max(...times);
  const firstStart = Math.min(...jobs.map((j) => j.startMs ?? j.endMs ?? Number.POSITIVE_INFINITY));
  const lastEnd = Math.max(...jobs.map((j) => j.endMs ?? Number.NEGATIVE_INFINITY));
  const lost = interruption_list.reduce((a, x) => a + (x.time_lost_s ?? 0), 0);
  const activeS = Number.isFinite(firstStart) && Number.isFinite(lastEnd) ? (lastEnd - firstStart) / 1000 - lost : 0;

  // the agent's end check: a campaign event without interruption whose images column holds the images missing
  const missingAtEnd = latest(rows, (r) => (r.interruption === '' ? r.images : null));
  const plannedJobs = latest(rows, (r) => r.planned_jobs);
  const plannedImages = latest(rows, (r) => r.planned_images);
  const ended = done + failedKeys.size;
  let status: CampaignStatus = 'running';
  if (plannedJobs !== null && ended >= plannedJobs) status = 'finished';
  else if (nowMs - lastMs > CAMPAIGN_IDLE_MS) status = plannedJobs === null ? 'finished' : 'stalled';

  // rates over the active time: first job start to last job end, minus the time lost to interruptions
  const imagesPerMin = activeS > 0 && images > 0 ? images / (activeS / 60) : null;
  const jobsPerMin = activeS > 0 && done > 0 ? done / (activeS / 60) : null;
  let remainingS: number | null = null;
  if (status !== 'finished') {
    if (plannedImages !== null && imagesPerMin !== null) remainingS = round((Math.max(0, plannedImages - images) / imagesPerMin) * 60, 1);
    else if (plannedJobs !== null && jobsPerMin !== null) remainingS = round((Math.max(0, plannedJobs - ended) / jobsPerMin) * 60, 1);
  }
  const lastStop = interruption_list.at(-1);
  const label = rows.find((r) => r.label !== '')?.label ?? null;
  const fingerprint = rows.find((r) => r.fingerprint !== '')?.fingerprint ?? null;
  const cached = rows.filter((r) => r.kind === 'node_cache' && r.executed_nodes !== null);
  const executedNodes = cached.reduce((a, r) => a + (r.executed_nodes ?? 0), 0);
  return {
    id,
    label,
    source: sourceOf(id, rows[0]?.runtime ?? ''),
    runtime: rows[0]?.runtime ?? '',
    hosts: [...new Set(rows.map((r) => r.host))].sort(),
    workflow_fingerprint: fingerprint,
    first_at: iso(Number.isFinite(firstMs) ? firstMs : lastMs),
    last_at: iso(lastMs),
    status,
    planned_jobs: plannedJobs,
    planned_images: plannedImages,
    done_jobs: done,
    failed_jobs: failedKeys.size,
    redone_jobs: redone,
    images,
    images_per_min: imagesPerMin === null ? null : round(imagesPerMin),
    remaining_s: remainingS,
    eta: remainingS === null || !Number.isFinite(lastEnd) ? null : iso(lastEnd + remainingS * 1000),
    completion_ratio: plannedJobs === null || plannedJobs === 0 ? null : round(done / plannedJobs, 4),
    interruptions: interruption_list.length,
    resumed: lastStop === undefined ? null : lastStop.jobs_resumed > 0,
    images_missing_at_end: missingAtEnd,
    interruption_list,
    cache_hit_ratio: executedNodes > 0 ? round(cached.reduce((a, r) => a + (r.cached_nodes ?? 0), 0) / executedNodes, 4) : null,
    total_epochs: null,
    last_epoch: null,
  };
}
