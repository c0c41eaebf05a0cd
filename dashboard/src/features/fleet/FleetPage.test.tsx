import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fleet, GiB, gpu, host, summary, utilization } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

const twoHosts = fleet([
  host('render-01', [
    gpu(),
    gpu({
      index: 1,
      uuid: 'GPU-aaaa-0002',
      utilization_ratio: 0.1,
      temperature_celsius: 41,
      memory_used_bytes: 1.5 * GiB,
      clock_event_reasons: ['sw_thermal_slowdown'],
    }),
  ]),
  host(
    'render-02',
    [gpu({ uuid: 'GPU-bbbb-0001', name: 'NVIDIA GeForce RTX 4090', utilization_ratio: 0.95, memory_total_bytes: 24 * GiB, temperature_celsius: 80 })],
    { silent: true },
  ),
]);

const util = utilization([
  { t: '2026-05-01T11:58:00.000Z', host: 'render-01', u: 0.5, m: 0.4 },
  { t: '2026-05-01T11:58:00.000Z', host: 'render-02', u: 0.9, m: 0.6 },
  { t: '2026-05-01T11:59:00.000Z', host: 'render-01', u: 0.7, m: 0.5 },
]);

function hostRow(name: string): HTMLElement {
  const row = screen.getAllByTestId('host-row').find((r) => r.getAttribute('data-host') === name);
  if (row === undefined) throw new Error(`no row for ${name}`);
  return row;
}

describe('FleetPage', () => {
  it('shows every host and GPU with the fixed test hooks and formatted values', async () => {
    renderApp('/', { '/api/v1/fleet': { body: twoHosts }, '/api/v1/fleet/utilization': { body: util } });
    await waitFor(() => expect(screen.getByTestId('host-count')).toHaveProperty('textContent', '2 hosts'));
    const gpus = within(hostRow('render-01')).getAllByTestId('gpu');
    expect(gpus.map((g) => g.getAttribute('data-gpu-index'))).toEqual(['0', '1']);
    const g0 = gpus[0] as HTMLElement;
    expect(within(g0).getByTestId('gpu-util').textContent).toBe('73%');
    expect(within(g0).getByTestId('gpu-temp').textContent).toBe('64 °C');
    expect(within(g0).getByTestId('gpu-mem').textContent).toBe('20.0 / 45.0 GiB');
    expect(within(gpus[1] as HTMLElement).getByTestId('gpu-mem').textContent).toBe('1.5 / 45.0 GiB');
    expect(within(gpus[1] as HTMLElement).getByText('sw_thermal_slowdown')).toBeTruthy();
    expect(within(hostRow('render-02')).getByText('silent')).toBeTruthy();
    // GPU chips link to the GPU detail, keeping the range
    expect(g0.getAttribute('href')).toBe('/hosts/render-01?gpu=0');
  });

  it('computes the tiles from the fleet and shows the error code of an endpoint that fails', async () => {
    renderApp('/', { '/api/v1/fleet': { body: twoHosts }, '/api/v1/fleet/utilization': { body: util } });
    const up = await screen.findByTestId('tile-hosts-up');
    expect(up.querySelector('.tile-value')?.textContent).toBe('1 / 2');
    // busy = latest utilization ≥ 10% on reporting hosts: render-01's two GPUs (render-02 is silent)
    expect(screen.getByTestId('tile-gpus-busy').querySelector('.tile-value')?.textContent).toBe('2 / 3');
    await waitFor(() => expect(screen.getByTestId('tile-slos').querySelector('.tile-value')?.textContent).toBe('COL_ERR_API_NOT_FOUND'));
    expect(screen.getByTestId('tile-images').querySelector('.tile-value')?.textContent).toBe('COL_ERR_API_NOT_FOUND');
  });

  it('shows images/min and OOMs from the fleet summary when it exists', async () => {
    renderApp('/', {
      '/api/v1/fleet': { body: twoHosts },
      '/api/v1/fleet/utilization': { body: util },
      '/api/v1/fleet/summary': { body: summary({ images_per_min: 53.84, ooms: 7 }) },
    });
    await waitFor(() => expect(screen.getByTestId('tile-images').querySelector('.tile-value')?.textContent).toBe('53.8'), { timeout: 5000 });
    expect(screen.getByTestId('tile-ooms').querySelector('.tile-value')?.textContent).toBe('7');
    expect(screen.getByTestId('tile-ooms').querySelector('a')?.getAttribute('href')).toBe('/ooms');
  });

  it('filters by GPU model through the URL and the rows follow', async () => {
    renderApp('/?range=6h', { '/api/v1/fleet': { body: twoHosts }, '/api/v1/fleet/utilization': { body: util } });
    await screen.findAllByTestId('host-row');
    fireEvent.change(screen.getByTestId('gpu-model-filter'), { target: { value: 'NVIDIA GeForce RTX 4090' } });
    expect(currentQuery()).toEqual({ range: '6h', gpu_model: 'NVIDIA GeForce RTX 4090' });
    expect(screen.getAllByTestId('host-row').map((r) => r.getAttribute('data-host'))).toEqual(['render-02']);
  });

  it('sorts by utilization descending when the header is clicked twice', async () => {
    renderApp('/', { '/api/v1/fleet': { body: twoHosts }, '/api/v1/fleet/utilization': { body: util } });
    await screen.findAllByTestId('host-row');
    fireEvent.click(screen.getByRole('button', { name: /^Util/ }));
    fireEvent.click(screen.getByRole('button', { name: /^Util/ }));
    expect(currentQuery()).toMatchObject({ sort: 'util', dir: 'desc' });
    // render-02 mean 95% > render-01 mean (73.4 + 10) / 2 = 41.7%
    expect(screen.getAllByTestId('host-row').map((r) => r.getAttribute('data-host'))).toEqual(['render-02', 'render-01']);
  });

  it('asks the utilization API for the range in the URL and draws one heatmap row per host', async () => {
    const { stub } = renderApp('/?range=6h', { '/api/v1/fleet': { body: twoHosts }, '/api/v1/fleet/utilization': { body: util } });
    const heat = await screen.findByTestId('util-heatmap');
    expect(
      within(heat)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['render-01', 'render-02']);
    // render-02 has no point at 11:59: an empty cell, not a zero
    expect(within(heat).getAllByRole('gridcell')[3]?.getAttribute('title')).toMatch(/render-02 · .* · —$/);
    const call = stub.calls.find((c) => c.url.pathname === '/api/v1/fleet/utilization');
    const from = Date.parse(call?.url.searchParams.get('from') ?? '');
    const to = Date.parse(call?.url.searchParams.get('to') ?? '');
    expect(to - from).toBe(6 * 3600_000);
  });

  it('shows the API error code and message instead of the table', async () => {
    // the body the collector sends while ClickHouse does not answer (collector/src/http/error-handler.ts)
    renderApp('/', { '/api/v1/fleet': { status: 503, body: { code: 'COL_ERR_STORAGE_UNREACHABLE', message: 'ClickHouse is unreachable (retry in 2 s)' } } });
    expect((await screen.findByTestId('error-code')).textContent).toBe('COL_ERR_STORAGE_UNREACHABLE');
    expect(screen.getByTestId('error-message').textContent).toBe('ClickHouse is unreachable (retry in 2 s)');
    expect(screen.queryAllByTestId('host-row')).toHaveLength(0);
  });

  it('says how to get hosts when none has reported', async () => {
    renderApp('/', { '/api/v1/fleet': { body: fleet([]) }, '/api/v1/fleet/utilization': { body: utilization([]) } });
    expect((await screen.findByTestId('empty-state')).textContent).toContain('No hosts have reported yet');
    expect(screen.getByTestId('host-count').textContent).toBe('0 hosts');
  });

  it('refreshes in place: new values replace old ones without the rows disappearing', async () => {
    let temp = 64;
    renderApp('/', {
      '/api/v1/fleet': () => ({ body: fleet([host('render-01', [gpu({ temperature_celsius: temp })])]) }),
      '/api/v1/fleet/utilization': { body: util },
    });
    const row = await screen.findByTestId('host-row');
    expect(within(row).getByTestId('gpu-temp').textContent).toBe('64 °C');
    temp = 71;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'refresh now' }));
    });
    await waitFor(() => expect(within(screen.getByTestId('host-row')).getByTestId('gpu-temp').textContent).toBe('71 °C'));
    expect(screen.getByTestId('host-row')).toBe(row);
  });
});

describe('API key control', () => {
  it('shows the role and tenant of the key, or asks for a key when the API refuses', async () => {
    renderApp('/?key=k-viewer', {
      '/api/v1/fleet': { status: 401, body: { code: 'COL_ERR_AUTH_MISSING', message: 'no credentials were given' } },
      '/api/v1/whoami': (_url, init) =>
        ((init?.headers ?? {}) as Record<string, string>)['authorization'] === 'Bearer k-viewer'
          ? { body: { tenant: 'acme', role: 'viewer', auth: 'api_key' } }
          : { status: 401, body: { code: 'COL_ERR_AUTH_MISSING', message: 'no credentials' } },
    });
    expect((await screen.findByTestId('error-code')).textContent).toBe('COL_ERR_AUTH_MISSING');
    await waitFor(() => expect(screen.getByTestId('api-key-button').textContent).toBe('viewer · acme'));
    fireEvent.click(screen.getByTestId('api-key-button'));
    fireEvent.change(screen.getByTestId('api-key-input'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByTestId('api-key-button').textContent).toBe('API key needed'));
    expect(window.localStorage.getItem('renderwatch.apiKey')).toBeNull();
  });
});
