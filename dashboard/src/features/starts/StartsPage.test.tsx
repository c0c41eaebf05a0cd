import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { StartsResponse } from '@renderwatch/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { currentQuery, renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

const d = (count: number, p50: number | null, p90: number | null, max: number | null, p99 = max) => ({ count, p50_s: p50, p90_s: p90, p99_s: p99, max_s: max });
const starts: StartsResponse = {
  from: '2026-05-01T00:00:00.000Z',
  to: '2026-05-08T00:00:00.000Z',
  by_runtime: [{ runtime: 'comfyui', warm: d(40, 45, 280, 420), cold: d(3, 200, 300, 310), never_ready: 1 }],
  by_host: [
    { host: 'video-a100-01', runtime: 'comfyui', warm: d(10, 50, 280, 420, 390), cold: d(1, 300, 300, 300), never_ready: 1 },
    { host: 'ws-5090-01', runtime: 'comfyui', warm: d(30, 40, 90, 120), cold: d(2, 200, 250, 250), never_ready: 0 },
  ],
};
const slos = {
  generated_at: '2026-05-08T00:00:00.000Z',
  slos: [
    { name: 'warm-start-ready', kind: 'warm_start', threshold_s: 300 },
    { name: 'cold-start-ready', kind: 'cold_start', threshold_s: 1200 },
  ].map((s) => ({
    ...s,
    display_name: s.name,
    description: '',
    objective: 0.99,
    window_s: 2592000,
    good: 1,
    valid: 1,
    sli: 1,
    error_budget_remaining: 1,
    period_burn_rate: 0,
    windows: [],
    status: 'ok',
    min_events: 20,
    evaluated_at: '2026-05-08T00:00:00.000Z',
  })),
};

describe('StartsPage', () => {
  it('opens on 7 days, reads its targets from the start SLOs and marks what is over them', async () => {
    renderApp('/starts', {
      '/api/v1/starts': { body: starts },
      '/api/v1/slos': { body: slos },
      '/api/v1/starts/first-images': { body: { from: starts.from, to: starts.to, by_runtime: [], rules: [], starts: [] } },
    });
    await waitFor(() => expect(currentQuery()).toEqual({ range: '7d' }));
    expect((await screen.findByTestId('starts-targets')).textContent).toContain('warm start within 5 min');
    const a100 = (await screen.findAllByTestId('starts-host-row')).find((r) => r.getAttribute('data-host') === 'video-a100-01');
    if (a100 === undefined) throw new Error('no a100 row');
    // p99 390 s and max 420 s are over the 5 min warm target, the p50 of 50 s and p90 of 280 s are not
    const warm = within(a100).getByTestId('starts-warm');
    expect([...warm.querySelectorAll('span')].slice(0, 4).map((e) => e.textContent)).toEqual(['50 s', '4 min 40 s', '6 min 30 s', '7 min']);
    expect([...warm.querySelectorAll('.worse')].map((e) => e.textContent)).toEqual(['6 min 30 s', '7 min']);
    expect(within(a100).getByTestId('starts-never-ready').textContent).toBe('1');
  });
});
