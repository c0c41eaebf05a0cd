import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { oomResponse, oomRow } from '../../testing/fixtures.js';
import { currentQuery, renderApp } from '../../testing/render-app.js';

afterEach(cleanup);

const events = [
  oomRow(),
  oomRow({
    ts: '2026-05-01T11:40:00.000Z',
    host: 'render-05',
    gpu_index: 0,
    cause: 'batch',
    cause_rule: 'batch 4 > 1 and requested scales with batch',
    batch: 4,
    width: 1024,
    height: 1024,
    model: 'sdxl-base',
  }),
  oomRow({ ts: '2026-05-01T11:45:00.000Z', cause: 'resolution' }),
];

describe('OomPage', () => {
  it('shows counts by cause and model, each cause with what to try', async () => {
    renderApp('/ooms', { '/api/v1/ooms': { body: oomResponse(events) } });
    expect((await screen.findByTestId('oom-total')).textContent).toBe('3 OOMs in range');
    const byCause = screen.getByTestId('oom-by-cause');
    expect([...byCause.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['resolution2', 'batch size1']);
    const advice = screen.getByTestId('oom-advice');
    expect(advice.querySelector('[data-cause="resolution"]')?.textContent).toContain('Lower the resolution');
    expect(advice.querySelector('[data-cause="batch"]')?.textContent).toContain('Lower the batch size');
  });

  it("prefers the collector's advice when it sends one", async () => {
    renderApp('/ooms', {
      '/api/v1/ooms': {
        body: oomResponse([oomRow({ cause: 'fragmentation' })], { advice: [{ cause: 'fragmentation', what_to_try: 'Set expandable_segments.' }] }),
      },
    });
    await waitFor(() => expect(screen.getByTestId('oom-advice').textContent).toBe('fragmentation: Set expandable_segments.'));
  });

  it('lists each OOM with its numbers and rule, linking to its host, GPU and time', async () => {
    renderApp('/ooms?range=24h', { '/api/v1/ooms': { body: oomResponse([oomRow()]) } });
    const row = await screen.findByTestId('oom-row');
    expect(within(row).getByTestId('cause-rule').textContent).toBe('requested 9.0 GiB > free 2.1 GiB and scales with pixels');
    expect(row.textContent).toContain('9.0 GiB');
    expect(row.textContent).toContain('2.1 GiB / 24.0 GiB');
    expect(row.textContent).toContain('flux1-dev · 2048×2048 · batch 1');
    const href = within(row).getByTestId('oom-host-link').getAttribute('href') ?? '';
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/hosts/render-03');
    expect(url.searchParams.get('gpu')).toBe('1');
    expect(url.searchParams.get('from')).toBe('2026-05-01T11:15:00.000Z');
    expect(url.searchParams.get('to')).toBe('2026-05-01T11:45:00.000Z');
    expect(url.searchParams.has('range')).toBe(false);
  });

  it('filters by cause through the URL and sends the filter to the API', async () => {
    const { stub } = renderApp('/ooms', { '/api/v1/ooms': { body: oomResponse(events) } });
    await screen.findByTestId('oom-total');
    fireEvent.click(within(screen.getByTestId('oom-by-cause')).getByRole('button', { name: 'batch size' }));
    expect(currentQuery()).toEqual({ cause: 'batch' });
    await waitFor(() => expect(stub.calls.at(-1)?.url.searchParams.get('cause')).toBe('batch'));
  });

  it("shows the collector's error code when the OOM route fails", async () => {
    renderApp('/ooms', {});
    expect((await screen.findByTestId('error-code')).textContent).toBe('COL_ERR_API_NOT_FOUND');
  });
});
