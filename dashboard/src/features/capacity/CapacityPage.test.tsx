import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { capacity, GiB } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

const wl = (model: string, p50: number, p90: number, p99: number, fits: number | null) => ({
  model,
  runtime: 'comfyui',
  width: 1024,
  height: 1024,
  jobs: 200,
  vram_peak_p50_bytes: p50 * GiB,
  vram_peak_p90_bytes: p90 * GiB,
  vram_peak_p99_bytes: p99 * GiB,
  fits_tier_gb: fits,
});

describe('CapacityPage', () => {
  it('shows per tier whether the p99 peak fits, and the smallest tier that does', async () => {
    renderApp('/capacity', { '/api/v1/capacity': { body: capacity([wl('flux1-dev', 17, 20, 22, 32), wl('wan2.2-14b', 38, 40, 75, null)]) } });
    const rows = await screen.findAllByTestId('capacity-row');
    const flux = rows[0] as HTMLElement;
    // 22 GiB = 23.6 GB > 0.9 × 24 GB = 21.6 GB: the 24 GB tier does not fit; 32 GB does with 26% headroom
    const cells = [...flux.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(3, 8)).toEqual(['✗', '✗', '✓ 26%', '✓ 51%', '✓ 70%']);
    expect(within(flux).getByTestId('fits-tier').textContent).toBe('32 GB');
    expect(within(rows[1] as HTMLElement).getByTestId('fits-tier').textContent).toBe('none (bigger than 80 GB)');
  });

  it('answers the what-if from the peak percentiles and keeps the choice in the URL', async () => {
    renderApp('/capacity', { '/api/v1/capacity': { body: capacity([wl('flux1-dev', 17, 20, 22, 32)]) } });
    // default tier 24 GB: p90 20 GiB (21.5 GB) ≤ 21.6 GB usable, p99 is not → at least 90% of 200 jobs
    expect((await screen.findByTestId('whatif-result')).textContent).toBe('At least 180 of its 200 jobs (≥ 90%) would have fit in 24 GB.');
    fireEvent.change(screen.getByTestId('whatif-tier'), { target: { value: '16' } });
    expect(currentQuery()).toEqual({ tier: '16' });
    expect(screen.getByTestId('whatif-result').textContent).toBe(
      'Fewer than half of its 200 jobs would have fit in 16 GB (its median peak needs more than 14 GB usable).',
    );
  });
});
