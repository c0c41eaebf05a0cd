import { FleetResponseSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { createStubFetch } from '../testing/stub-fetch.js';
import { buildUrl, createApiClient, isNotAvailable } from './client.js';

describe('api client', () => {
  it('parses a good answer and sends the key as a bearer token', async () => {
    const stub = createStubFetch({ '/api/v1/fleet': { body: { generated_at: 'x', silent_after_s: 60, hosts: [] } } });
    const c = createApiClient({ baseUrl: '', getKey: () => 'k1', fetch: stub.fetch });
    const r = await c.get('/api/v1/fleet', FleetResponseSchema);
    expect(r).toEqual({ ok: true, data: { generated_at: 'x', silent_after_s: 60, hosts: [] } });
    expect(stub.calls[0]?.headers['authorization']).toBe('Bearer k1');
  });

  it('sends no Authorization header without a key', async () => {
    const stub = createStubFetch({ '/api/v1/fleet': { body: { generated_at: 'x', silent_after_s: 60, hosts: [] } } });
    await createApiClient({ baseUrl: '', getKey: () => undefined, fetch: stub.fetch }).get('/api/v1/fleet', FleetResponseSchema);
    expect(stub.calls[0]?.headers['authorization']).toBeUndefined();
  });

  it.each([
    // a body the collector sends (collector/src/errors.ts; e2e/src/docs/error-registry.test.ts checks the code is registered)
    [{ status: 401, body: { code: 'COL_ERR_AUTH_MISSING', message: 'no credentials were given' } }, 'COL_ERR_AUTH_MISSING', 'no credentials were given'],
    [{ status: 502, body: 'Bad gateway' }, 'UI_ERR_HTTP', '502'],
    [{ status: 200, body: { hosts: 'nope' } }, 'UI_ERR_SCHEMA', 'unexpected response shape at generated_at'],
  ])('turns %j into a failure value %s', async (res, code, message) => {
    const stub = createStubFetch({ '/api/v1/fleet': res });
    const r = await createApiClient({ baseUrl: '', getKey: () => undefined, fetch: stub.fetch }).get('/api/v1/fleet', FleetResponseSchema);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toContain(message);
    }
  });

  it('reports an unreachable collector as UI_ERR_NETWORK and a missing route as not available', async () => {
    const down = createApiClient({ baseUrl: '', getKey: () => undefined, fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    const r = await down.get('/api/v1/fleet', FleetResponseSchema);
    expect(r).toEqual({ ok: false, error: { code: 'UI_ERR_NETWORK', message: 'collector unreachable: Failed to fetch', status: 0 } });
    const none = await createApiClient({ baseUrl: '', getKey: () => undefined, fetch: createStubFetch({}).fetch }).get('/api/v1/slos', FleetResponseSchema);
    expect(!none.ok && isNotAvailable(none.error)).toBe(true);
  });

  it('builds query strings without empty values', () => {
    expect(buildUrl('http://c:1', '/api/v1/ooms', { from: 'a', cause: undefined, model: '', limit: 200 })).toBe('http://c:1/api/v1/ooms?from=a&limit=200');
  });
});
