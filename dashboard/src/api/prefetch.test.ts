import { FleetResponseSchema } from '@renderwatch/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createStubFetch } from '../testing/stub-fetch.js';
import { createApiClient } from './client.js';
import { clearPrefetched, MAX_AGE_MS, prefetch, sameRequest, takePrefetched } from './prefetch.js';

afterEach(clearPrefetched);

const FLEET = { generated_at: '2026-05-01T12:00:00.000Z', silent_after_s: 60, hosts: [] };
const win = (from: string, to: string, rest = '') => `/api/v1/ooms?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${rest}`;

describe('route prefetch', () => {
  it.each([
    ['the same URL', '/api/v1/fleet', '/api/v1/fleet', true],
    ['parameters in another order', '/api/v1/alerts?state=active&limit=500', '/api/v1/alerts?limit=500&state=active', true],
    ['another path', '/api/v1/fleet', '/api/v1/slos', false],
    ['another parameter value', '/api/v1/alerts?state=active', '/api/v1/alerts?state=firing', false],
    ['a parameter missing', '/api/v1/alerts?state=active&limit=500', '/api/v1/alerts?state=active', false],
    [
      'the window moved 1.5 s later',
      win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'),
      win('2026-05-01T11:00:01.500Z', '2026-05-01T12:00:01.500Z'),
      true,
    ],
    ['the same window', win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'), win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'), true],
    ['a window moved earlier', win('2026-05-01T11:00:01.000Z', '2026-05-01T12:00:01.000Z'), win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'), false],
    [
      'a window moved 21 s later',
      win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'),
      win('2026-05-01T11:00:21.000Z', '2026-05-01T12:00:21.000Z'),
      false,
    ],
    ['a longer window', win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'), win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:01.000Z'), false],
    ['another range preset', win('2026-04-30T12:00:00.000Z', '2026-05-01T12:00:00.000Z'), win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z'), false],
    [
      'the same window, other filters',
      win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z', '&host=a'),
      win('2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z', '&host=b'),
      false,
    ],
    ['another origin', 'http://a:1/api/v1/fleet', 'http://b:1/api/v1/fleet', false],
  ])('%s: %s', (_, earlier, later, same) => expect(sameRequest(earlier, later)).toBe(same));

  it('the client reads a prefetched answer once, with the key it was asked with, then asks itself', async () => {
    const early = createStubFetch({ '/api/v1/fleet': { body: { ...FLEET, silent_after_s: 30 } } });
    const late = createStubFetch({ '/api/v1/fleet': { body: FLEET } });
    prefetch('/api/v1/fleet', 'k1', early.fetch);
    expect(early.calls.map((c) => [c.url.pathname, c.headers['authorization']])).toEqual([['/api/v1/fleet', 'Bearer k1']]);
    const otherKey = createApiClient({ baseUrl: '', getKey: () => 'k2', fetch: late.fetch });
    expect(await otherKey.get('/api/v1/fleet', FleetResponseSchema)).toEqual({ ok: true, data: FLEET });
    expect(late.calls).toHaveLength(1);
    const c = createApiClient({ baseUrl: '', getKey: () => 'k1', fetch: late.fetch });
    expect(await c.get('/api/v1/fleet', FleetResponseSchema)).toEqual({ ok: true, data: { ...FLEET, silent_after_s: 30 } });
    expect(late.calls).toHaveLength(1);
    expect(await c.get('/api/v1/fleet', FleetResponseSchema)).toEqual({ ok: true, data: FLEET });
    expect(late.calls).toHaveLength(2);
  });

  it('a prefetched answer still goes through the schema, and a failed prefetch is the failure the page shows', async () => {
    prefetch('/api/v1/fleet', undefined, createStubFetch({ '/api/v1/fleet': { body: { hosts: 'nope' } } }).fetch);
    const c = createApiClient({ baseUrl: '', getKey: () => undefined, fetch: createStubFetch({ '/api/v1/fleet': { body: FLEET } }).fetch });
    const bad = await c.get('/api/v1/fleet', FleetResponseSchema);
    expect(bad.ok ? 'ok' : bad.error.code).toBe('UI_ERR_SCHEMA');
    prefetch('/api/v1/fleet', undefined, () => Promise.reject(new TypeError('Failed to fetch')));
    expect(await c.get('/api/v1/fleet', FleetResponseSchema)).toEqual({
      ok: false,
      error: { code: 'UI_ERR_NETWORK', message: 'collector unreachable: Failed to fetch', status: 0 },
    });
  });

  it('forgets an answer older than MAX_AGE_MS', () => {
    const stub = createStubFetch({ '/api/v1/fleet': { body: FLEET } });
    prefetch('/api/v1/fleet', undefined, stub.fetch, 1_000);
    expect(takePrefetched('/api/v1/fleet', undefined, 1_000 + MAX_AGE_MS + 1)).toBeUndefined();
    prefetch('/api/v1/fleet', undefined, stub.fetch, 1_000);
    expect(takePrefetched('/api/v1/fleet', '', 1_000 + MAX_AGE_MS)).toBeDefined();
  });
});
