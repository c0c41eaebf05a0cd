import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertAckResponseSchema } from '@renderwatch/schema';
import { alert, alertList } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

describe('AlertsPage', () => {
  it('lists active alerts with links to the host and GPU they concern', async () => {
    const { stub } = renderApp('/alerts', { '/api/v1/alerts': { body: alertList([alert()]) } });
    const row = await screen.findByTestId('alert-row');
    expect(row.textContent).toContain('GpuTemperatureHigh');
    expect(row.textContent).toContain('GPU 1 of render-07 at 91 °C');
    expect(within(row).getByRole('link', { name: 'GPU 1' }).getAttribute('href')).toBe('/hosts/render-07?gpu=1');
    expect(stub.calls.find((c) => c.url.pathname === '/api/v1/alerts')?.url.searchParams.get('state')).toBe('active');
  });

  it('links SLO alerts to their SLO', async () => {
    renderApp('/alerts', { '/api/v1/alerts': { body: alertList([alert({ source: 'slo', rule: 'oom-rate', labels: { slo: 'oom-rate' } })]) } });
    const row = await screen.findByTestId('alert-row');
    expect(within(row).getByRole('link', { name: 'SLO oom-rate' }).getAttribute('href')).toBe('/slos/oom-rate');
  });

  it('shows the refusal when a viewer key acknowledges', async () => {
    renderApp('/alerts', {
      '/api/v1/alerts': { body: alertList([alert()]) },
      'POST /api/v1/alerts/fp-1/ack': { status: 403, body: { code: 'COL_ERR_AUTH_FORBIDDEN', message: 'role viewer may not acknowledge alerts' } },
    });
    fireEvent.click(await screen.findByTestId('ack-button'));
    const err = await screen.findByTestId('ack-error');
    expect(err.textContent).toBe('COL_ERR_AUTH_FORBIDDEN role viewer may not acknowledge alerts');
  });

  it('acknowledges with an operator key and shows who acknowledged after the reload', async () => {
    let acked = false;
    const { stub } = renderApp('/alerts?key=op-secret', {
      '/api/v1/alerts': () => ({ body: alertList([alert(acked ? { acknowledged_by: 'operator', acknowledged_at: '2026-05-01T12:00:01.000Z' } : {})]) }),
      'POST /api/v1/alerts/fp-1/ack': () => {
        acked = true;
        return { body: AlertAckResponseSchema.parse({ alert: alert({ acknowledged_by: 'operator', acknowledged_at: '2026-05-01T12:00:01.000Z' }) }) };
      },
    });
    // the key moved from the URL into storage and is sent as a bearer token
    expect(currentQuery()).toEqual({});
    fireEvent.click(await screen.findByTestId('ack-button'));
    await waitFor(() => expect(screen.getByTestId('acked').textContent).toBe('acked by operator'));
    const post = stub.calls.find((c) => c.method === 'POST');
    expect(post?.headers['authorization']).toBe('Bearer op-secret');
    window.localStorage.clear();
  });

  it('switches state through the URL', async () => {
    const { stub } = renderApp('/alerts', { '/api/v1/alerts': { body: alertList([]) } });
    expect((await screen.findByTestId('empty-state')).textContent).toBe('Nothing is firing or pending. All quiet.');
    fireEvent.click(screen.getByTestId('alert-state-resolved'));
    expect(currentQuery()).toEqual({ state: 'resolved' });
    await waitFor(() => expect(stub.calls.at(-1)?.url.searchParams.get('state')).toBe('resolved'));
  });
});
