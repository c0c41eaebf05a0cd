import type { CampaignDetail, CampaignDetailCost } from '@renderwatch/schema';
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ALPHA_CAMPAIGN_FIGURES } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

const alphaCost: CampaignDetailCost = {
  from: '2026-05-01T09:00:00.000Z',
  to: '2026-05-01T11:00:00.000Z',
  ...ALPHA_CAMPAIGN_FIGURES,
  unknown: null,
  error_code: null,
};
/** The GPU figures of a campaign the answer cannot attribute GPU time to. */
const noGpuFigures = { gpu_hours: null, energy_kwh: null, cost: null, unpriced_gpu_hours: null, cost_per_image: null };
/** …nor jobs and images. */
const noFigures = { ...noGpuFigures, jobs: null, images: null, unattributed_jobs: null };

function detail(cost: unknown): Omit<CampaignDetail, 'cost'> & { cost: unknown } {
  return {
    id: 'l-alpha',
    label: 'alpha',
    source: 'label',
    runtime: 'comfyui',
    hosts: ['h-1'],
    workflow_fingerprint: null,
    first_at: '2026-05-01T09:10:00.000Z',
    last_at: '2026-05-01T09:41:00.000Z',
    status: 'finished',
    planned_jobs: null,
    planned_images: null,
    done_jobs: 3,
    failed_jobs: 0,
    redone_jobs: 0,
    images: 13,
    images_per_min: 0.42,
    remaining_s: null,
    eta: null,
    completion_ratio: null,
    interruptions: 0,
    resumed: null,
    images_missing_at_end: null,
    interruption_list: [],
    cache_hit_ratio: null,
    total_epochs: null,
    last_epoch: null,
    cost,
  };
}

const open = (cost: unknown) => renderApp('/campaigns/l-alpha?range=7d', { '/api/v1/campaigns/l-alpha': { body: detail(cost) } });
const tile = (id: string): string | null => screen.getByTestId(id).querySelector('.tile-value')?.textContent ?? null;
const tileDetail = (id: string): string | null => screen.getByTestId(id).querySelector('.tile-detail')?.textContent ?? null;

describe('CampaignCostPanel on the campaign detail page', () => {
  it("shows the campaign's GPU-hours, energy, money, money per image, jobs and images", async () => {
    open(alphaCost);
    await screen.findByTestId('campaign-cost');
    // 1230 s = 0.34 GPU-h; 123 000 J = 0.034 kWh; $0.6833; $0.6833 / 13 = $0.0526
    expect(['campaign-cost-gpu-hours', 'campaign-cost-kwh', 'campaign-cost-money', 'campaign-cost-per-image', 'campaign-cost-jobs'].map(tile)).toEqual([
      '0.34',
      '0.03 kWh',
      '$0.683',
      '$0.0526',
      '3 / 13',
    ]);
    expect(tileDetail('campaign-cost-jobs')).toBe('1 without a GPU');
    expect(screen.getByTestId('campaign-cost-money').querySelector('.tile-detail')).toBeNull();
    expect(screen.getByTestId('campaign-cost-note').textContent).toBe('NVIDIA H100 80GB HBM3 · 2026-05-01 09:00 → 2026-05-01 11:00 UTC');
    // the rest of the detail page is there
    expect(screen.getByTestId('campaign-title').textContent).toBe('alpha');
  });

  it('shows unpriced GPU-hours beside the money, and a dash for each unknown figure', async () => {
    open({ ...alphaCost, cost: null, cost_per_image: null, energy_kwh: null, unpriced_gpu_hours: 0.34, unattributed_jobs: 0 });
    await screen.findByTestId('campaign-cost');
    expect(['campaign-cost-gpu-hours', 'campaign-cost-kwh', 'campaign-cost-money', 'campaign-cost-per-image'].map(tile)).toEqual(['0.34', '—', '—', '—']);
    expect(tileDetail('campaign-cost-money')).toBe('+0.3 unpriced GPU-h');
    expect(screen.getByTestId('campaign-cost-jobs').querySelector('.tile-detail')).toBeNull();
    cleanup();
    // past the raw samples kept: jobs and images still counted, the GPU figures dashes, and why
    open({
      ...alphaCost,
      ...noGpuFigures,
      gpu_names: [],
      jobs: 1,
      images: 3,
      unattributed_jobs: 0,
      unknown: 'past_raw_retention',
    });
    await screen.findByTestId('campaign-cost');
    expect(['campaign-cost-gpu-hours', 'campaign-cost-kwh', 'campaign-cost-money', 'campaign-cost-per-image', 'campaign-cost-jobs'].map(tile)).toEqual([
      '—',
      '—',
      '—',
      '—',
      '1 / 3',
    ]);
    expect(screen.getByTestId('campaign-cost-note').textContent).toMatch(/^The GPU samples of this range are no longer kept \(raw retention\)/);
  });

  it('says a training run has no GPU time attributed instead of showing zeros', async () => {
    open({
      ...alphaCost,
      ...noFigures,
      gpu_names: [],
      unknown: 'training_run',
    });
    const panel = await screen.findByTestId('campaign-cost');
    expect(within(panel).getByTestId('campaign-cost-unknown').textContent).toBe(
      'Training runs are not attributed GPU time: their events carry no campaign id.',
    );
    expect(within(panel).queryByTestId('campaign-cost-gpu-hours')).toBeNull();
  });

  it('shows an error in its panel when the cost query failed, with the rest of the campaign', async () => {
    open({
      ...alphaCost,
      ...noFigures,
      unknown: 'failed',
      error_code: 'COL_ERR_API_QUERY_TOO_EXPENSIVE',
    });
    const panel = await screen.findByTestId('campaign-cost');
    expect(within(panel).getByTestId('error-code').textContent).toBe('COL_ERR_API_QUERY_TOO_EXPENSIVE');
    expect(within(panel).queryByTestId('campaign-cost-gpu-hours')).toBeNull();
    expect(screen.getByTestId('campaign-title').textContent).toBe('alpha');
    expect(screen.getAllByTestId('error-state')).toHaveLength(1);
  });

  it('shows nothing from a collector that answers no cost, and the page error when the cost does not match the schema', async () => {
    open(undefined);
    await screen.findByText('No interruption: the campaign ran in one go.');
    expect(screen.queryByTestId('campaign-cost')).toBeNull();
    cleanup();
    open({ ...alphaCost, cost: '0.68' });
    expect((await screen.findByTestId('error-state')).textContent).toMatch(/cost/);
    expect(screen.queryByTestId('campaign-cost')).toBeNull();
  });
});
