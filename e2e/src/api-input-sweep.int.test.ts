// Issue 20 items 5 and 8: the black-box probe's extreme values on every GET route of the API
// (taken from the collector's own OpenAPI document, so a new route is swept too). Before the
// time guard, year-0 and year-9999 dates reached ClickHouse and came back as a 500 quoting
// `DB::Exception: Cannot parse string`, and /api/v1/slos/{name} took a 10-year range. Now every
// one is a 400 that says what is allowed, and no answer carries ClickHouse's text.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

let collector: Awaited<ReturnType<typeof startTestCollector>>;
let paths: string[] = [];

beforeAll(async () => {
  collector = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_API_CACHE_TTL_MS: '0' });
  const doc = (await (await fetch(`http://127.0.0.1:${collector.httpPort}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  paths = Object.entries(doc.paths)
    .filter(([p, ops]) => p.startsWith('/api/v1/') && 'get' in ops)
    .map(([p]) => p.replace('{host}', 'host-1').replace('{name}', 'gpu-availability').replace('{fingerprint}', 'ffffffffffffffff').replace('{id}', 'k1'));
});

afterAll(() => collector.stop());

interface Answer {
  path: string;
  status: number;
  body: string;
}

async function get(path: string): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${collector.httpPort}${path}`);
  return { path, status: r.status, body: await r.text() };
}

const CLICKHOUSE_TEXT = /DB::|Exception|Code: \d+|Cannot parse|e\.what|clickhouse/i;

// The probe's values: out of 1970-2100, garbage, a 10-year range, a range the wrong way round.
const EXTREMES: [string, RegExp][] = [
  ['to=0000-01-01T00%3A00%3A00Z', /: to: "0000-01-01T00:00:00Z" is not allowed; give an ISO-8601 time between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z$/],
  ['to=9999-12-31T23:59:59Z', /: to: "9999-12-31T23:59:59Z" is not allowed; give an ISO-8601 time between/],
  ['from=1969-12-31T23:59:59Z&to=1970-01-01T00:00:01Z', /: from: "1969-12-31T23:59:59Z" is not allowed/],
  ['from=2100-01-01T00:00:00Z&to=2100-01-02T00:00:00Z', /: from: "2100-01-01T00:00:00Z" is not allowed/],
  ['from=yesterday', /: from: "yesterday" is not allowed/],
  ['to=%27%3B%20DROP%20TABLE%20x', /: to: "'; DROP TABLE x" is not allowed/],
  ['from=2015-01-01T00:00:00Z&to=2025-01-01T00:00:00Z', /: range is 3653 days; at most 400 days are allowed \(COLLECTOR_API_MAX_RANGE_DAYS\)$/],
  ['from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', /: from must be before to$/],
];

describe('every API route with the probe values', () => {
  it('the sweep covers the routes the probe hit (OpenAPI lists them)', () => {
    for (const p of [
      '/api/v1/events',
      '/api/v1/fleet',
      '/api/v1/cost',
      '/api/v1/starts',
      '/api/v1/versions',
      '/api/v1/slos/gpu-availability',
      '/api/v1/hosts/host-1/series',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths.length).toBeGreaterThanOrEqual(18);
  });

  it('answers 400 saying what is allowed, for every route and value; never ClickHouse text', async () => {
    const wrong: Answer[] = [];
    for (const path of paths) {
      for (const [qs, message] of EXTREMES) {
        const a = await get(`${path}?${qs}`);
        const body = JSON.parse(a.body) as { message?: string };
        if (CLICKHOUSE_TEXT.test(a.body) || a.status >= 500) wrong.push(a);
        // Routes without a time range (keys, whoami, alerts by fingerprint) may ignore from/to, never 5xx.
        else if (a.status === 400 && !message.test(body.message ?? '')) wrong.push(a);
      }
    }
    expect(wrong).toEqual([]);
    // The routes the probe saw fail, one by one: each a 400 now.
    for (const path of ['/api/v1/events', '/api/v1/fleet', '/api/v1/fleet/summary', '/api/v1/cost', '/api/v1/starts', '/api/v1/versions', '/api/v1/ooms']) {
      expect((await get(`${path}?to=0000-01-01T00%3A00%3A00Z`)).status).toBe(400);
      expect((await get(`${path}?to=9999-12-31T23:59:59Z`)).status).toBe(400);
    }
  });

  it('/api/v1/slos/{name} refuses more than 400 days like every other route (it took 10 years)', async () => {
    const a = await get('/api/v1/slos/gpu-availability?from=2015-01-01T00:00:00Z&to=2025-01-01T00:00:00Z');
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body)).toEqual({
      code: 'COL_ERR_API_RANGE_TOO_LARGE',
      message: 'the requested range or number of points is too large: range is 3653 days; at most 400 days are allowed (COLLECTOR_API_MAX_RANGE_DAYS)',
    });
    // 400 days exactly is allowed
    const ok = await get('/api/v1/slos/gpu-availability?from=2024-01-01T00:00:00Z&to=2025-02-04T00:00:00Z');
    expect(ok.status).not.toBe(400);
  });

  it('garbage in the other parameters is a 400 too, never a 500', async () => {
    const wrong: Answer[] = [];
    for (const path of paths) {
      for (const qs of ['step_s=1e308', 'step_s=-1', 'limit=99999999999', 'gpu_uuid=' + 'x'.repeat(5000), 'host=%00', 'x=%ff%fe']) {
        const a = await get(`${path}?${qs}`);
        if (a.status >= 500 || CLICKHOUSE_TEXT.test(a.body)) wrong.push(a);
      }
    }
    expect(wrong).toEqual([]);
  });
});
