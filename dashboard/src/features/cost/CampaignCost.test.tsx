import { CostResponseSchema, type CostCampaign } from '@renderwatch/schema';
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ALPHA_CAMPAIGN_FIGURES, fleet } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';
import type { StubResponse } from '../../testing/stub-fetch.js';

afterEach(cleanup);

// The collector's answer for the two campaigns of collector/test/cost-campaigns.int.test.ts.
const beta: CostCampaign = {
  id: 'c-beta',
  label: null,
  runtime: 'comfyui',
  hosts: ['h-1', 'h-2'],
  gpu_names: ['NVIDIA L4'],
  jobs: 4,
  images: 20,
  unattributed_jobs: 0,
  gpu_hours: 1.5,
  energy_kwh: 102_000 / 3.6e6,
  cost: 0.75,
  unpriced_gpu_hours: 0,
  cost_per_image: 0.0375,
};
const alpha: CostCampaign = { ...beta, id: 'l-alpha', label: 'alpha', hosts: ['h-1'], ...ALPHA_CAMPAIGN_FIGURES };

function cost(campaigns?: unknown[]) {
  const totals = { gpu_hours: 4, energy_kwh: 1, cost: 3, unpriced_gpu_hours: 0, jobs: 7, images: 33, unattributed_jobs: 0, unattributed_images: 0 };
  const body = { from: '2026-04-24T12:00:00.000Z', to: '2026-05-01T12:00:00.000Z', resolution: '1d', gpu_models: [], totals };
  return campaigns === undefined ? CostResponseSchema.parse(body) : { ...body, campaigns };
}

/** /api/v1/cost answering `campaigns` only when asked `by=campaign`. */
function costRoute(byCampaign: StubResponse) {
  return (url: URL): StubResponse => (url.searchParams.get('by') === 'campaign' ? byCampaign : { body: cost() });
}

const texts = (row: HTMLElement): (string | null)[] => [...row.querySelectorAll('td')].map((td) => td.textContent);

describe('CampaignCost on the Cost page', () => {
  it('lists each campaign with jobs, images, GPU-hours, kWh, money and money per image, linked to its page', async () => {
    const app = renderApp('/cost', { '/api/v1/cost': costRoute({ body: cost([beta, alpha]) }), '/api/v1/fleet': { body: fleet([]) } });
    const rows = await screen.findAllByTestId('cost-campaign-row');
    expect(rows.map(texts)).toEqual([
      // no label: the runtime and the id; 102 000 J = 0.028 kWh
      ['comfyui c-beta', '4', '20', '1.50', '0.03', '$0.750', '$0.0375'],
      // 1230 s = 0.34 GPU-h, 123 000 J = 0.034 kWh, $0.6833, $0.6833 / 13 = $0.0526 per image
      ['alpha (1 job without a GPU)', '3', '13', '0.34', '0.03', '$0.683', '$0.0526'],
    ]);
    expect(
      within(rows[1] as HTMLElement)
        .getByRole('link')
        .getAttribute('href'),
    ).toBe('/campaigns/l-alpha?range=7d');
    const asked = app.stub.calls.filter((c) => c.url.searchParams.get('by') === 'campaign');
    expect(asked).toHaveLength(1);
    // the page's range (7 days by default)
    const q = asked[0]?.url.searchParams;
    expect(Date.parse(q?.get('to') ?? '') - Date.parse(q?.get('from') ?? '')).toBe(7 * 86400_000);
  });

  it('says so when no campaign ran in the range', async () => {
    renderApp('/cost', { '/api/v1/cost': costRoute({ body: cost([]) }), '/api/v1/fleet': { body: fleet([]) } });
    const panel = (await screen.findByText('No campaign ran in this range.')).closest('section') as HTMLElement;
    expect(within(panel).getByRole('heading').textContent).toMatch(/^By campaign/);
    // the rest of the page is there
    expect(screen.getByTestId('cost-totals')).toBeTruthy();
  });

  it('shows an error in its panel, not a blank page, when the answer is refused or does not match the schema', async () => {
    renderApp('/cost', {
      '/api/v1/cost': costRoute({
        status: 400,
        body: { code: 'COL_ERR_API_BAD_REQUEST', message: 'querystring/by must be equal to one of the allowed values' },
      }),
      '/api/v1/fleet': { body: fleet([]) },
    });
    expect((await screen.findByTestId('error-code')).textContent).toBe('COL_ERR_API_BAD_REQUEST');
    expect(screen.getByTestId('cost-total').textContent).toBe('$3.00');
    cleanup();
    renderApp('/cost', { '/api/v1/cost': costRoute({ body: cost([{ ...beta, cost: '0.75' }]) }), '/api/v1/fleet': { body: fleet([]) } });
    const err = await screen.findByTestId('error-state');
    expect(err.closest('section')?.getAttribute('aria-label')).toBe('cost by campaign');
    expect(screen.queryAllByTestId('cost-campaign-row')).toHaveLength(0);
  });
});
