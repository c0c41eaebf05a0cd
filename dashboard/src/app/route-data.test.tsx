// The entry's prefetch must ask what each page asks: every page is rendered at its URL with a stubbed
// collector, and each request route-data.ts starts for that URL must be one the page made itself.
import { cleanup, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { sameRequest } from '../api/prefetch.js';
import { renderApp } from '../testing/render-app.js';
import { routeRequests } from './route-data.js';

afterEach(cleanup);

describe('route data prefetch', () => {
  it.each([
    ['/', ['/api/v1/fleet']],
    ['/hosts/rack%20b-01?range=6h', ['/api/v1/hosts/rack%20b-01/series']],
    ['/slos', ['/api/v1/slos', '/api/v1/alerts']],
    ['/slos/batch-job-completion', ['/api/v1/slos/batch-job-completion', '/api/v1/alerts']],
    ['/alerts', ['/api/v1/alerts']],
    ['/alerts?state=all', ['/api/v1/alerts']],
    ['/alerts?state=bogus', ['/api/v1/alerts']],
    ['/ooms?range=7d&model=sdxl&host=a', ['/api/v1/ooms']],
    ['/slowdowns?baseline_days=14', ['/api/v1/slowdowns']],
    ['/slowdowns?baseline_days=3', ['/api/v1/slowdowns']],
    ['/capacity?range=7d&runtime=comfyui', ['/api/v1/capacity']],
    ['/starts?range=7d&host=a', ['/api/v1/starts', '/api/v1/slos']],
    ['/cost?range=24h', ['/api/v1/cost', '/api/v1/fleet']],
    ['/cost', ['/api/v1/cost', '/api/v1/fleet']],
    ['/versions?from=2026-05-01T00:00:00.000Z&to=2026-05-02T00:00:00.000Z', ['/api/v1/versions']],
    ['/campaigns?range=7d&host=a', ['/api/v1/campaigns']],
    ['/campaigns/c-1', ['/api/v1/campaigns/c-1']],
  ])('%s: the page asks for every URL the entry prefetched', async (url, paths) => {
    const [path = '', search = ''] = url.split('?');
    const pre = routeRequests('', path, search === '' ? '' : `?${search}`, Date.now());
    expect(pre.map((u) => u.split('?')[0])).toEqual(paths);
    const { stub } = renderApp(url, {});
    const asked = () => stub.calls.filter((c) => c.method === 'GET').map((c) => `${c.url.pathname}${c.url.search}`);
    for (const u of pre) await waitFor(() => expect(asked().some((a) => sameRequest(u, a)) ? u : asked()).toBe(u), { timeout: 10_000 });
  });

  it.each([
    ['/ooms?cause=fragmentation', 'a cause the entry cannot check'],
    ['/campaigns?status=running', 'a status the entry cannot check'],
    ['/no-such-page', 'an unknown page'],
  ])('%s: nothing is prefetched (%s)', (url) => {
    const [path = '', search = ''] = url.split('?');
    expect(routeRequests('', path, `?${search}`, Date.now())).toEqual([]);
  });
});
