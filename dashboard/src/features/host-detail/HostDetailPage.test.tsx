import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hostSeries } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';

// happy-dom has no layout, so its IntersectionObserver never reports a chart as visible: without
// one, WhenVisible mounts charts at once (its documented fallback).
beforeEach(() => vi.stubGlobal('IntersectionObserver', undefined));
// The charts are lazy-loaded; transforming Recharts the first time is slow on a busy machine, so load it once up front.
beforeAll(async () => {
  await import('../../charts/TimeSeriesChart.js');
}, 60_000);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('HostDetailPage', () => {
  it('shows processes (flagging non-runtime ones) and the runtime events', async () => {
    renderApp('/hosts/render-03', { '/api/v1/hosts/render-03/series': { body: hostSeries() } });
    const procs = await screen.findByTestId('process-table');
    expect(
      within(procs)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual(['GPUPIDProcessRuntimeVRAM', '04242pythoncomfyui10.0 GiB', '1777blenderother process6.0 GiB']);
    expect(within(screen.getByTestId('event-table')).getAllByRole('row')).toHaveLength(3);
  });

  it('narrows to one GPU through the URL: its processes, its events, its throttle band in the legend', async () => {
    renderApp('/hosts/render-03?gpu=0', { '/api/v1/hosts/render-03/series': { body: hostSeries() } });
    const procs = await screen.findByTestId('process-table');
    expect(within(procs).getAllByRole('row')).toHaveLength(2);
    expect(screen.queryByText('thermal')).toBeNull();
    fireEvent.click(screen.getByRole('tab', { name: 'GPU 1' }));
    expect(currentQuery()).toEqual({ gpu: '1' });
    expect(within(screen.getByTestId('process-table')).getAllByRole('row')[1]?.textContent).toContain('blender');
    expect((await screen.findAllByTestId('chart-legend', {}, { timeout: 10_000 }))[0]?.textContent).toBe('thermalOOM');
  });

  it('zooms to ±10 minutes around an event when its time is clicked', async () => {
    renderApp('/hosts/render-03?range=24h', { '/api/v1/hosts/render-03/series': { body: hostSeries() } });
    const events = await screen.findByTestId('event-table');
    fireEvent.click(within(events).getAllByRole('button')[0] as HTMLElement);
    expect(currentQuery()).toEqual({ from: '2026-05-01T11:48:30.000Z', to: '2026-05-01T12:08:30.000Z' });
  });

  it('explains an empty range', async () => {
    renderApp('/hosts/render-03', { '/api/v1/hosts/render-03/series': { body: hostSeries({ gpus: [], markers: [], processes: [], throttle_bands: [] }) } });
    expect((await screen.findByTestId('empty-state')).textContent).toContain('No samples from render-03 in this range');
  });
});
