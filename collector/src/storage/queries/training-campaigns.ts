// LoRA training runs (kohya, ai-toolkit, diffusers) as campaigns (docs/signals.md "Campaigns"):
// one run per host and runtime from its start to its last epoch. A runtime_start while the run is
// unfinished (within TRAINING_RESUME_MS of its last event) is an interruption of that run, not a
// new one; what came next decides how it went on: a `training_resumed` event (the trainer loaded a
// saved state) or a first progress past epoch 1 is a resume from a checkpoint, a first progress at
// epoch 1 without one is a restart from epoch 0. For a run, "jobs" are epochs. Pure.
import { createHash } from 'node:crypto';
import type { CampaignDetail, CampaignInterruption } from '@renderwatch/schema';
import { CAMPAIGN_IDLE_MS } from './campaign-derive.js';

export const TRAINING_RUNTIMES = ['kohya', 'ai-toolkit', 'diffusers'] as const;
/** A start later than this after an unfinished run's last event begins a new run. */
export const TRAINING_RESUME_MS = 6 * 3600_000;

export interface TrainingEventRow {
  ms: number;
  host: string;
  runtime: string;
  kind: string;
  epoch: number | null;
  total_epochs: number | null;
  step: number | null;
  total_steps: number | null;
}

interface Run {
  host: string;
  runtime: string;
  firstMs: number;
  lastMs: number;
  /** Current (1-based) epoch of the last progress, its step, and the totals. */
  epoch: number;
  step: number;
  totalEpochs: number | null;
  totalSteps: number | null;
  /** Where the current segment (since the last start) began: for the step rate. */
  segStartMs: number;
  segStartStep: number | null;
  lastProgressMs: number | null;
  interruptions: CampaignInterruption[];
  /** An interruption waiting for the first progress after it. */
  pending: { resumedEvent: boolean; doneBefore: number; lastProgressMs: number | null } | undefined;
  /** The pending interruption is a preemption notice: the trainer's next start continues it. */
  preempted?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
const finished = (r: Run): boolean => r.totalEpochs !== null && r.epoch >= r.totalEpochs && (r.totalSteps === null || r.step >= r.totalSteps);
/** Epochs done: from the step where the totals are known (kohya prints an epoch's last step before `epoch N+1/M`), else the epoch before the current one. */
function completedEpochs(r: { epoch: number; step: number; totalEpochs: number | null; totalSteps: number | null }): number {
  if (r.totalEpochs !== null && r.totalSteps !== null && r.totalSteps > 0) return Math.min(r.totalEpochs, Math.floor((r.step * r.totalEpochs) / r.totalSteps));
  return Math.max(0, r.epoch - 1);
}

/** Records an interruption of the run at event `e`; what followed is decided by the first progress after it (decide). */
function interrupt(r: Run, kind: 'preemption' | 'runtime_restart', e: TrainingEventRow): void {
  r.interruptions.push({
    kind,
    at: iso(e.ms),
    host: e.host,
    time_lost_s: null,
    jobs_lost: 0,
    jobs_redone: 0,
    jobs_resumed: 0,
    images_missing: null,
    training_resume: null,
    resumed_from_epoch: null,
  });
  r.pending = { resumedEvent: false, doneBefore: completedEpochs(r), lastProgressMs: r.lastProgressMs };
}

function decide(r: Run, e: TrainingEventRow): void {
  const p = r.pending;
  const stop = r.interruptions.at(-1);
  if (p === undefined || stop === undefined) return;
  const epoch = e.epoch ?? 1;
  const checkpoint = p.resumedEvent || epoch > 1;
  const from = checkpoint ? Math.max(0, epoch - 1) : 0;
  const doneBefore = p.doneBefore;
  const gap = p.lastProgressMs === null ? null : e.ms - p.lastProgressMs;
  // a restart from epoch 0 also throws away the work done before it
  const discarded = checkpoint || p.lastProgressMs === null ? 0 : p.lastProgressMs - r.firstMs;
  Object.assign(stop, {
    training_resume: checkpoint ? 'checkpoint' : 'epoch0',
    resumed_from_epoch: from,
    jobs_resumed: Math.min(from, doneBefore),
    jobs_redone: Math.max(0, doneBefore - from),
    time_lost_s: gap === null ? null : round((gap + discarded) / 1000),
  });
  r.pending = undefined;
}

/** Runs of one host and runtime from its events in time order. */
export function segmentTrainingRuns(events: readonly TrainingEventRow[]): Run[] {
  const runs: Run[] = [];
  let cur: Run | undefined;
  const open = (e: TrainingEventRow): Run => {
    const r: Run = {
      host: e.host,
      runtime: e.runtime,
      firstMs: e.ms,
      lastMs: e.ms,
      epoch: 0,
      step: 0,
      totalEpochs: null,
      totalSteps: null,
      segStartMs: e.ms,
      segStartStep: null,
      lastProgressMs: null,
      interruptions: [],
      pending: undefined,
    };
    runs.push(r);
    return r;
  };
  for (const e of events) {
    if (e.kind === 'preemption') {
      // a cloud preemption notice on the run's host while it ran (docs/signals.md "Preemption"): the
      // interruption; the trainer's start after it continues the same interruption
      if (cur !== undefined && !finished(cur) && cur.lastProgressMs !== null && cur.pending === undefined && e.ms - cur.lastMs <= CAMPAIGN_IDLE_MS) {
        interrupt(cur, 'preemption', e);
        cur.preempted = true;
      }
      continue;
    }
    if (e.kind === 'runtime_start' && cur?.preempted === true && cur.pending !== undefined && e.ms - cur.lastMs <= TRAINING_RESUME_MS) {
      cur.preempted = false;
      cur.segStartMs = e.ms;
      cur.segStartStep = null;
      cur.lastMs = e.ms;
      continue;
    }
    if (e.kind === 'runtime_start') {
      if (cur !== undefined && !finished(cur) && cur.lastProgressMs !== null && e.ms - cur.lastMs <= TRAINING_RESUME_MS) {
        interrupt(cur, 'runtime_restart', e);
        cur.segStartMs = e.ms;
        cur.segStartStep = null;
      } else cur = open(e);
      cur.lastMs = e.ms;
      continue;
    }
    cur ??= open(e);
    cur.lastMs = e.ms;
    if (e.kind === 'training_resumed' && cur.pending !== undefined) cur.pending.resumedEvent = true;
    if (e.kind !== 'training_progress') continue;
    decide(cur, e);
    if (e.total_epochs !== null) cur.totalEpochs = e.total_epochs;
    if (e.total_steps !== null) cur.totalSteps = e.total_steps;
    if (e.epoch !== null) cur.epoch = e.epoch;
    if (e.step !== null) {
      cur.step = e.step;
      if (cur.segStartStep === null) {
        cur.segStartStep = e.step;
        cur.segStartMs = e.ms;
      }
    }
    cur.lastProgressMs = e.ms;
  }
  return runs.filter((r) => r.lastProgressMs !== null);
}

export function trainingCampaignId(r: { host: string; runtime: string; firstMs: number }): string {
  return `t-${createHash('sha256').update(`${r.host}\u0000${r.runtime}\u0000${r.firstMs}`).digest('hex').slice(0, 16)}`;
}

/** The campaign view of one run. */
export function trainingCampaign(r: Run, nowMs: number): CampaignDetail {
  const done = completedEpochs(r);
  const isDone = finished(r);
  const stepsPerS =
    r.segStartStep !== null && r.lastProgressMs !== null && r.lastProgressMs > r.segStartMs
      ? (r.step - r.segStartStep) / ((r.lastProgressMs - r.segStartMs) / 1000)
      : null;
  const remainingS = !isDone && r.totalSteps !== null && stepsPerS !== null && stepsPerS > 0 ? round((r.totalSteps - r.step) / stepsPerS, 1) : null;
  const last = r.interruptions.at(-1);
  return {
    id: trainingCampaignId(r),
    label: null,
    source: 'training_run',
    runtime: r.runtime,
    hosts: [r.host],
    workflow_fingerprint: null,
    first_at: iso(r.firstMs),
    last_at: iso(r.lastMs),
    status: isDone ? 'finished' : nowMs - r.lastMs > CAMPAIGN_IDLE_MS ? 'stalled' : 'running',
    planned_jobs: r.totalEpochs,
    planned_images: null,
    done_jobs: done,
    failed_jobs: 0,
    redone_jobs: r.interruptions.reduce((a, x) => a + x.jobs_redone, 0),
    images: 0,
    images_per_min: null,
    remaining_s: remainingS,
    eta: remainingS === null ? null : iso(r.lastMs + remainingS * 1000),
    completion_ratio: r.totalEpochs === null || r.totalEpochs === 0 ? null : round(done / r.totalEpochs, 4),
    interruptions: r.interruptions.length,
    resumed: last === undefined ? null : last.training_resume === 'checkpoint',
    images_missing_at_end: null,
    interruption_list: r.interruptions,
    cache_hit_ratio: null,
    total_epochs: r.totalEpochs,
    last_epoch: r.epoch,
  };
}
