import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SloDetailResponseSchema } from '@renderwatch/schema';
import { alert, alertList, slo, sloList } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

describe('SLO pages', () => {
  it('shows SLI, target, budget and the windows burning over their thresholds', async () => {
    renderApp('/slos', {
      '/api/v1/slos': {
        body: sloList([
          slo(),
          slo({
            name: 'warm-start',
            display_name: 'Warm start',
            kind: 'warm_start',
            threshold_s: 300,
            sli: 0.9995,
            error_budget_remaining: 0.8,
            status: 'ok',
            windows: [],
          }),
        ]),
      },
      '/api/v1/alerts': { body: alertList([alert({ source: 'slo', rule: 'oom-rate', state: 'firing' })]) },
    });
    const rows = await screen.findAllByTestId('slo-row');
    const oom = rows[0] as HTMLElement;
    expect(within(oom).getByTestId('slo-sli').textContent).toBe('98.50%');
    expect(oom.textContent).toContain('≥ 99% good');
    expect(within(oom).getByTestId('budget').textContent).toBe('exhausted (-50%)');
    expect(within(oom).getByTestId('burn-1h').className).toContain('burn-over');
    expect(within(oom).getByTestId('burn-3d').className).toContain('burn-over');
    expect(within(oom).getByTestId('slo-status').textContent).toBe('burning fast (page)');
    expect(within(oom).getByRole('link', { name: '1 firing' })).toBeTruthy();
    const warm = rows[1] as HTMLElement;
    expect(warm.textContent).toContain('99% within 5 min');
    expect(within(warm).getByTestId('budget').textContent).toBe('80% left');
  });

  it('says so when the SLO name is unknown, and shows the error code when the list fails', async () => {
    renderApp('/slos/no-such-slo', {
      '/api/v1/slos/no-such-slo': { status: 404, body: { code: 'COL_ERR_API_NOT_FOUND', message: 'no SLO named no-such-slo' } },
    });
    expect((await screen.findByTestId('not-found')).textContent).toContain('No SLO named no-such-slo');
    cleanup();
    renderApp('/slos', {});
    expect((await screen.findByTestId('error-code')).textContent).toBe('COL_ERR_API_NOT_FOUND');
  });

  it('shows an SLO detail with its budget and the range asked for', async () => {
    const detail = SloDetailResponseSchema.parse({
      slo: slo(),
      from: '2026-05-01T11:00:00.000Z',
      to: '2026-05-01T12:00:00.000Z',
      points: [
        {
          t: '2026-05-01T11:30:00.000Z',
          sli: 0.99,
          error_budget_remaining: 0.1,
          burn_rate_5m: 2,
          burn_rate_1h: 1,
          burn_rate_6h: 1,
          burn_rate_3d: 1,
          valid: 100,
        },
      ],
    });
    const { stub } = renderApp('/slos/oom-rate?range=24h', { '/api/v1/slos/oom-rate': { body: detail }, '/api/v1/alerts': { body: alertList([]) } });
    expect((await screen.findByTestId('slo-detail-budget')).querySelector('.tile-value')?.textContent).toBe('-50%');
    const call = stub.calls.find((c) => c.url.pathname === '/api/v1/slos/oom-rate');
    expect(Date.parse(call?.url.searchParams.get('to') ?? '') - Date.parse(call?.url.searchParams.get('from') ?? '')).toBe(24 * 3600_000);
  });
});
