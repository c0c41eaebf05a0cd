import type { CampaignSummary } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { campaignNotice } from './campaign-notice.js';

const base: CampaignSummary = {
  id: 'l-0123456789abcdef',
  label: 'spring lookbook',
  source: 'label',
  runtime: 'comfyui',
  hosts: ['render-07'],
  workflow_fingerprint: null,
  first_at: '2026-12-07T09:00:00.000Z',
  last_at: '2026-12-07T10:00:00.000Z',
  status: 'finished',
  planned_jobs: 4820,
  planned_images: 4820,
  done_jobs: 4812,
  failed_jobs: 0,
  redone_jobs: 0,
  images: 4812,
  images_per_min: 80.2,
  remaining_s: null,
  eta: null,
  completion_ratio: 0.9983,
  interruptions: 2,
  resumed: true,
  images_missing_at_end: null,
};

describe('campaignNotice', () => {
  it('says what was made against the plan, the interruptions and how it went on', () => {
    expect(campaignNotice(base)).toBe('campaign spring lookbook finished: 4,812/4,820 images, 2 interruptions, resumed');
    expect(campaignNotice({ ...base, interruptions: 1, resumed: false, failed_jobs: 3 })).toBe(
      'campaign spring lookbook finished: 4,812/4,820 images, 3 failed, 1 interruption, restarted',
    );
    expect(campaignNotice({ ...base, label: null, planned_images: null, planned_jobs: 12, done_jobs: 12, images: 48, interruptions: 0, resumed: null })).toBe(
      'campaign l-0123456789abcdef finished: 48 images, 12/12 jobs, no interruptions',
    );
    expect(campaignNotice({ ...base, source: 'training_run', label: null, id: 't-1', planned_jobs: 80, done_jobs: 80, images: 0, interruptions: 1 })).toBe(
      'campaign t-1 finished: 80/80 epochs, 1 interruption, resumed',
    );
  });
});
