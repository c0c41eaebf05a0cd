import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { slowdowns } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';
import { dropText } from './slowdown-text.js';

afterEach(cleanup);

const win = (ipm: number, thermal: number) => ({
  images_per_min: ipm,
  thermal_share: thermal,
  power_share: 0.01,
  cache_miss_ratio: 0.1,
  other_process_share: 0,
  disk_read_bytes_per_s: 50 * 1024 ** 2,
  net_rx_bytes_per_s: 1024 ** 2,
});

describe('SlowdownsPage', () => {
  it('ranks hosts with their drop and the likely reasons', async () => {
    renderApp('/slowdowns', {
      '/api/v1/slowdowns': {
        body: slowdowns([
          {
            host: 'render-07',
            current: win(6, 0.4),
            baseline: win(10, 0.02),
            drop_ratio: 0.4,
            reasons: [{ reason: 'thermal_throttle', detail: 'thermal 40% of busy time vs 2%' }],
          },
        ]),
      },
    });
    const row = await screen.findByTestId('slowdown-row');
    expect(within(row).getByTestId('slowdown-drop').textContent).toBe('40% slower');
    expect(row.textContent).toContain('6.0 vs 10.0');
    expect(within(row).getByTestId('slowdown-reason').textContent).toBe('thermal throttle');
    expect(within(row).getByTestId('slowdown-reason').getAttribute('title')).toBe('thermal 40% of busy time vs 2%');
  });

  it('changes the baseline through the URL', async () => {
    const { stub } = renderApp('/slowdowns', { '/api/v1/slowdowns': { body: slowdowns([]) } });
    await screen.findByTestId('empty-state');
    fireEvent.change(screen.getByTestId('baseline-filter'), { target: { value: '14' } });
    expect(currentQuery()).toEqual({ baseline_days: '14' });
    await waitFor(() => expect(stub.calls.at(-1)?.url.searchParams.get('baseline_days')).toBe('14'));
  });

  it.each([
    [0.3, 10, '30% slower'],
    [-2, 10, 'not slower'],
    [-235, 0, 'no baseline'],
    [null, 10, 'no baseline'],
  ])('reads drop %s with baseline %s/min as "%s"', (drop, base, text) => {
    expect(dropText(drop, base)).toBe(text);
  });
});
