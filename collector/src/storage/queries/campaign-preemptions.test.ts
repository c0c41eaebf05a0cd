// Preemption notices attributed to campaigns (docs/signals.md "Preemption"), worked out by hand:
// job campaigns running on the notice's host, and a kohya run whose trainer came back after it.
import { describe, expect, it } from 'vitest';
import type { CampaignEventRow } from './campaign-derive.js';
import { attributePreemptions } from './campaign-preemptions.js';
import { segmentTrainingRuns, trainingCampaign, type TrainingEventRow } from './training-campaigns.js';

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const s = (x: number): number => T0 + x * 1000;
const row = (ms: number, host: string, campaign: string): CampaignEventRow => ({
  ms,
  host,
  runtime: 'comfyui',
  kind: 'job_end',
  campaign_id: campaign,
  job_id: `${campaign}-${ms}`,
  job_key: `${campaign}-${ms}`,
  outcome: 'ok',
  images: 1,
  label: '',
  fingerprint: '',
  planned_jobs: null,
  planned_images: null,
  interruption: '',
  lost_jobs: null,
  cached_nodes: null,
  executed_nodes: null,
});

describe('attributePreemptions', () => {
  it('adds the notice to campaigns of its host from their first event to 10 min after their last, once', () => {
    const byCampaign = new Map([
      ['running', [row(s(0), 'h1', 'running'), row(s(100), 'h1', 'running')]],
      ['idle-9m', [row(s(-500), 'h1', 'idle-9m')]],
      ['idle-11m', [row(s(-700), 'h1', 'idle-11m')]],
      ['later', [row(s(300), 'h1', 'later')]],
      ['other-host', [row(s(0), 'h2', 'other-host')]],
    ]);
    // notice at 40 s: running (0..100 s) yes; idle-9m last at -500 s: 540 s ≤ 600 s yes; idle-11m: 740 s > 600 s no;
    // later (first event at 300 s) no; other host no
    attributePreemptions(byCampaign, [{ host: 'h1', ms: s(40) }]);
    attributePreemptions(byCampaign, [{ host: 'h1', ms: s(40) }]); // the same notice again: kept once
    const marks = (id: string): number[] => (byCampaign.get(id) ?? []).filter((r) => r.interruption === 'preemption').map((r) => (r.ms - T0) / 1000);
    expect(['running', 'idle-9m', 'idle-11m', 'later', 'other-host'].map((id) => [id, marks(id)])).toEqual([
      ['running', [40]],
      ['idle-9m', [40]],
      ['idle-11m', []],
      ['later', []],
      ['other-host', []],
    ]);
    expect(byCampaign.get('running')?.map((r) => (r.ms - T0) / 1000)).toEqual([0, 40, 100]);
  });
});

const ev = (x: number, kind: string, p: Partial<TrainingEventRow> = {}): TrainingEventRow => ({
  ms: s(x),
  host: 'h1',
  runtime: 'kohya',
  kind,
  epoch: null,
  total_epochs: null,
  step: null,
  total_steps: null,
  ...p,
});

describe('a kohya run preempted, then resumed from a checkpoint', () => {
  it('is one preemption interruption (the trainer start after it continues it) with what followed', () => {
    const runs = segmentTrainingRuns([
      ev(0, 'runtime_start'),
      ev(60, 'training_progress', { epoch: 1, total_epochs: 10, step: 100, total_steps: 1000 }),
      ev(180, 'training_progress', { epoch: 3, total_epochs: 10, step: 300, total_steps: 1000 }),
      ev(200, 'preemption'),
      ev(400, 'runtime_start'),
      ev(410, 'training_resumed'),
      ev(450, 'training_progress', { epoch: 3, total_epochs: 10, step: 310, total_steps: 1000 }),
    ]);
    expect(runs).toHaveLength(1);
    const c = trainingCampaign(runs[0] as (typeof runs)[number], s(460));
    // epochs done at the notice: ⌊300 × 10 / 1000⌋ = 3; resumed at epoch 3 → from epoch 2: 2 resumed, 1 redone;
    // time lost: last progress 180 s → first progress after 450 s = 270 s
    expect(c.interruption_list).toEqual([
      {
        kind: 'preemption',
        at: new Date(s(200)).toISOString(),
        host: 'h1',
        time_lost_s: 270,
        jobs_lost: 0,
        jobs_redone: 1,
        jobs_resumed: 2,
        images_missing: null,
        training_resume: 'checkpoint',
        resumed_from_epoch: 2,
      },
    ]);
  });

  it('a notice more than 10 min after the run went quiet is not its interruption', () => {
    const runs = segmentTrainingRuns([
      ev(0, 'runtime_start'),
      ev(60, 'training_progress', { epoch: 1, total_epochs: 10, step: 100, total_steps: 1000 }),
      ev(661, 'preemption'),
    ]);
    expect(trainingCampaign(runs[0] as (typeof runs)[number], s(700)).interruptions).toBe(0);
  });
});
