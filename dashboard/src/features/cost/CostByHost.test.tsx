// The Cost page's "By host" panel: every host's totals in one `by=host` request (not one request per
// host), in the fleet's host list; a collector older than `by=host` (no `hosts` in its answer) still
// gets one request per host, and the panel shows the same bars either way.
import { CostResponseSchema, emptyCostTotals, type CostTotals } from '@renderwatch/schema';
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fleet, host } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';
import type { StubResponse } from '../../testing/stub-fetch.js';

afterEach(cleanup);

const totals = (over: Partial<CostTotals>): CostTotals => ({ ...emptyCostTotals(), ...over });
// the hosts of collector/test/api-starts-cost-versions.int.test.ts ("GET /api/v1/cost?by=host"), and
// render-09: in the fleet, nothing in the range
const A1 = totals({ gpu_hours: 3, energy_kwh: 484_300 / 3.6e6, cost: 4.5, jobs: 7, images: 21, unattributed_jobs: 1, unattributed_images: 3 });
const A2 = totals({ gpu_hours: 0.5, unpriced_gpu_hours: 0.5, jobs: 1, images: 1 });
const BASE = {
  from: '2026-04-24T12:00:00.000Z',
  to: '2026-05-01T12:00:00.000Z',
  resolution: '1d',
  gpu_models: [],
  totals: totals({ gpu_hours: 3.5, cost: 4.5 }),
};
const FLEET = { body: fleet([host('a-2', []), host('render-09', []), host('a-1', [])]) };

/** /api/v1/cost: `hosts` with by=host when `grouped`, each host's own answer with host=. */
function costRoute(grouped: boolean) {
  return (url: URL): StubResponse => {
    const by = url.searchParams.get('by');
    const h = url.searchParams.get('host');
    if (by === 'campaign') return { body: { ...BASE, campaigns: [] } };
    if (h !== null) return { body: { ...BASE, totals: h === 'a-1' ? A1 : h === 'a-2' ? A2 : totals({}) } };
    if (by === 'host' && grouped)
      return {
        body: CostResponseSchema.parse({
          ...BASE,
          hosts: [
            { host: 'a-1', totals: A1 },
            { host: 'a-2', totals: A2 },
          ],
        }),
      };
    return { body: BASE };
  };
}

const bars = async (): Promise<string[]> => {
  const list = await screen.findByTestId('cost-by-host');
  return [...list.querySelectorAll('li')].map((li) => `${li.querySelector('.barlist-label')?.textContent} ${li.querySelector('.barlist-value')?.textContent}`);
};

describe('Cost page: cost by host', () => {
  it('asks once with by=host and shows every fleet host, most money first', async () => {
    const app = renderApp('/cost', { '/api/v1/cost': costRoute(true), '/api/v1/fleet': FLEET });
    expect(await bars()).toEqual(['a-1 $4.50 · 3.0 GPU-h', 'a-2 — · 0.5 GPU-h', 'render-09 — · 0.0 GPU-h']);
    const costCalls = app.stub.calls.filter((c) => c.url.pathname === '/api/v1/cost');
    expect(costCalls.filter((c) => c.url.searchParams.get('by') === 'host')).toHaveLength(1);
    expect(costCalls.filter((c) => c.url.searchParams.has('host'))).toHaveLength(0);
  });

  it('falls back to one request per host when the collector answers no `hosts`, with the same bars', async () => {
    const app = renderApp('/cost', { '/api/v1/cost': costRoute(false), '/api/v1/fleet': FLEET });
    expect(await bars()).toEqual(['a-1 $4.50 · 3.0 GPU-h', 'a-2 — · 0.5 GPU-h', 'render-09 — · 0.0 GPU-h']);
    const perHost = app.stub.calls.filter((c) => c.url.pathname === '/api/v1/cost' && c.url.searchParams.has('host'));
    expect(perHost.map((c) => c.url.searchParams.get('host')).sort()).toEqual(['a-1', 'a-2', 'render-09']);
  });
});
