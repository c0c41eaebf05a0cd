// GET /api/v1/starts, /cost and /versions against a real ClickHouse with two tenants of known data:
// answers worked out by hand in the comments, no tenant-B row reaches tenant A, hostile input → 400/empty.
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig } from '../src/config.js';
import { createStorage } from '../src/storage/clickhouse.js';
import { raw } from '../src/storage/sql.js';
import { seedStartsCostVersions } from './api-seed-starts-cost-versions.js';

const KEY = 'admin-key-of-tenant-a-starts-cost';
const B_KEY = 'admin-key-of-tenant-b-starts-cost';
let c: RunningCollector;
let cb: RunningCollector;
let db: string;
let H: number;
const at = (s: number): string => new Date(H + s * 1000).toISOString();
const win = (): string => `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(7200))}`;

async function get(path: string, col = c, key = KEY): Promise<{ status: number; body: string; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${col.httpPort}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.text();
  return { status: res.status, body, json: JSON.parse(body) as Record<string, unknown> };
}

async function collector(key: string, tenant: string): Promise<RunningCollector> {
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: key,
    COLLECTOR_API_ADMIN_TENANT: tenant,
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_GPU_PRICES: 'H100=2.00,L4=0.50',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  return startCollector(cfg.config, pino({ level: 'silent' }));
}

beforeAll(async () => {
  db = `rw_api_scv_${randomBytes(4).toString('hex')}`;
  c = await collector(KEY, 'tenant-a');
  cb = await collector(B_KEY, 'tenant-b');
  ({ hourMs: H } = await seedStartsCostVersions(c.storage, Date.now()));
});

afterAll(async () => {
  await cb.stop();
  await c.stop();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

const dist = (count: number, p50: number | null, p90: number | null, max: number | null): Record<string, unknown> => ({
  count,
  p50_s: p50,
  p90_s: p90,
  // at most 100 starts per group here, so the nearest-rank p99 is the largest value
  p99_s: max,
  max_s: max,
});

describe('GET /api/v1/starts', () => {
  // comfyui on a-1: cold 40 (ready - start) and 55 (startup_s, not the 70 s between events); warm 6,
  // 8 (cold unknown counts as warm) and 10; one start superseded without a ready. Nearest rank:
  // cold p50 = 40 (ceil(0.5*2)=1st), p90 = 55; warm p50 = 8 (2nd of 3), p90 = 10. forge on a-2: 30 / 4.
  const comfy = { runtime: 'comfyui', cold: dist(2, 40, 55, 55), warm: dist(3, 8, 10, 10), never_ready: 1 };
  const forge = { runtime: 'forge', cold: dist(1, 30, 30, 30), warm: dist(1, 4, 4, 4), never_ready: 0 };

  it('answers cold/warm count, p50/p90/max and never-ready per runtime and per host', async () => {
    const r = await get(`/api/v1/starts?${win()}`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toEqual({
      from: at(0),
      to: at(7200),
      by_runtime: [comfy, forge],
      by_host: [
        { host: 'a-1', ...comfy },
        { host: 'a-2', ...forge },
      ],
    });
  });

  it('filters by runtime and by host, and counts only starts inside the window', async () => {
    expect((await get(`/api/v1/starts?${win()}&runtime=forge`)).json['by_runtime']).toEqual([forge]);
    expect((await get(`/api/v1/starts?${win()}&host=a-1`)).json['by_host']).toEqual([{ host: 'a-1', ...comfy }]);
    // [H+1000 s, H+2000 s): the warm starts at 1200 (6 s) and 1800 (8 s) only.
    const r = await get(`/api/v1/starts?from=${at(1000)}&to=${at(2000)}&host=a-1`);
    expect(r.json['by_runtime']).toEqual([{ runtime: 'comfyui', cold: dist(0, null, null, null), warm: dist(2, 6, 8, 8), never_ready: 0 }]);
  });
});

describe('GET /api/v1/cost', () => {
  // Samples once a minute, each standing for 60 s (interval_ms).
  // H100 (a-1 gpu0): 120 samples = 2 GPU-hours at 2.00 = 4.00; counter +3600 J/min with a
  // reset to 500 J at minute 90: 89*3600 + 500 + 29*3600 = 425300 J. 4 jobs, 8 images.
  // L4 (a-1 gpu1): 60 minutes = 1 GPU-hour at 0.50; +1000 J/min: 59000 J; 2 jobs, 10 images.
  // A10 (a-2): 30 minutes, no counter, no price; its job has no gpu_index but a-2 has one model.
  // A job without gpu_index on a-1 (two models) is unattributed: 1 job, 3 images.
  it('answers GPU-hours, energy across a counter reset, and cost per job and per image per GPU model', async () => {
    const r = await get(`/api/v1/cost?${win()}`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({ from: at(0), to: at(7200), resolution: '1h' });
    const kwh = (j: number): unknown => expect.closeTo(j / 3.6e6, 9);
    expect(r.json['gpu_models']).toEqual([
      {
        gpu_name: 'NVIDIA A10',
        gpus: 1,
        gpu_hours: 0.5,
        energy_kwh: null,
        price_per_gpu_hour: null,
        cost: null,
        jobs: 1,
        images: 1,
        cost_per_job: null,
        cost_per_image: null,
      },
      {
        gpu_name: 'NVIDIA H100 80GB HBM3',
        gpus: 1,
        gpu_hours: 2,
        energy_kwh: kwh(425300),
        price_per_gpu_hour: 2,
        cost: 4,
        jobs: 4,
        images: 8,
        cost_per_job: 1,
        cost_per_image: 0.5,
      },
      {
        gpu_name: 'NVIDIA L4',
        gpus: 1,
        gpu_hours: 1,
        energy_kwh: kwh(59000),
        price_per_gpu_hour: 0.5,
        cost: 0.5,
        jobs: 2,
        images: 10,
        cost_per_job: 0.25,
        cost_per_image: 0.05,
      },
    ]);
    expect(r.json['totals']).toEqual({
      gpu_hours: 3.5,
      energy_kwh: kwh(484300),
      cost: 4.5,
      unpriced_gpu_hours: 0.5,
      jobs: 8,
      images: 22,
      unattributed_jobs: 1,
      unattributed_images: 3,
    });
  });

  it('filters by host, and the first hour alone has no reset', async () => {
    const a2 = await get(`/api/v1/cost?${win()}&host=a-2`);
    expect((a2.json['gpu_models'] as { gpu_name: string }[]).map((m) => m.gpu_name)).toEqual(['NVIDIA A10']);
    const first = await get(`/api/v1/cost?from=${at(0)}&to=${at(3600)}&host=a-1`);
    // minutes 0-59: H100 59*3600 J over 1 GPU-hour; L4 59*1000 J.
    expect(
      (first.json['gpu_models'] as { gpu_name: string; energy_kwh: number; gpu_hours: number }[]).map((m) => [m.gpu_name, m.gpu_hours, m.energy_kwh]),
    ).toEqual([
      ['NVIDIA H100 80GB HBM3', 1, expect.closeTo((59 * 3600) / 3.6e6, 9)],
      ['NVIDIA L4', 1, expect.closeTo(59000 / 3.6e6, 9)],
    ]);
  });
});

describe('GET /api/v1/cost?by=host', () => {
  // From the figures above: a-1 = H100 (2 GPU-h, 4.00, 425300 J, 4 jobs, 8 images) + L4 (1 GPU-h,
  // 0.50, 59000 J, 2 jobs, 10 images) + the unattributed job (1 job, 3 images) = 3 GPU-h, 4.50,
  // 484300 J, 7 jobs, 21 images; a-2 = A10 0.5 GPU-h unpriced, no counter, 1 job, 1 image.
  it("answers every host's totals in one request, the same as one request per host", async () => {
    const r = await get(`/api/v1/cost?${win()}&by=host`);
    expect(r.status, r.body).toBe(200);
    const kwh = (j: number): unknown => expect.closeTo(j / 3.6e6, 9);
    expect(r.json['hosts']).toEqual([
      {
        host: 'a-1',
        totals: { gpu_hours: 3, energy_kwh: kwh(484300), cost: 4.5, unpriced_gpu_hours: 0, jobs: 7, images: 21, unattributed_jobs: 1, unattributed_images: 3 },
      },
      {
        host: 'a-2',
        totals: { gpu_hours: 0.5, energy_kwh: null, cost: null, unpriced_gpu_hours: 0.5, jobs: 1, images: 1, unattributed_jobs: 0, unattributed_images: 0 },
      },
    ]);
    // the same answer as before: the fleet's figures unchanged, and each host's totals equal to `?host=`
    const plain = await get(`/api/v1/cost?${win()}`);
    expect({ ...r.json, hosts: undefined }).toEqual({ ...plain.json, hosts: undefined });
    expect(plain.json['hosts']).toBeUndefined();
    for (const h of ['a-1', 'a-2']) {
      const one = await get(`/api/v1/cost?${win()}&host=${h}`);
      expect((r.json['hosts'] as { host: string; totals: unknown }[]).find((x) => x.host === h)?.totals).toEqual(one.json['totals']);
    }
    const filtered = await get(`/api/v1/cost?${win()}&host=a-2&by=host`);
    expect((filtered.json['hosts'] as { host: string }[]).map((x) => x.host)).toEqual(['a-2']);
    const none = await get(`/api/v1/cost?from=${at(-7200)}&to=${at(-3600)}&by=host`);
    expect(none.json['hosts']).toEqual([]);
  });
});

describe('GET /api/v1/versions', () => {
  it('answers version and extension-set runs with added/removed, and model hashes with first/last seen', async () => {
    const r = await get(`/api/v1/versions?${win()}`);
    expect(r.status, r.body).toBe(200);
    const p = (
      version: string,
      extensions: string[],
      first: number,
      last: number,
      starts: number,
      previous: string | null,
      added: string[] | null,
      removed: string[] | null,
    ): Record<string, unknown> => ({
      runtime: 'comfyui',
      version,
      extensions,
      first_start: at(first),
      last_start: at(last),
      starts,
      previous_version: previous,
      added,
      removed,
    });
    expect(r.json).toEqual({
      from: at(0),
      to: at(7200),
      hosts: [
        {
          host: 'a-1',
          // the start two days before `from` ran v0.3.9 with [A, B]
          timeline: [
            p('v0.3.10', ['A', 'B'], 0, 600, 2, 'v0.3.9', [], []),
            p('v0.3.10', ['A', 'B', 'C'], 1200, 1200, 1, 'v0.3.10', ['C'], []),
            p('v0.3.10', ['A', 'C'], 1800, 2400, 2, 'v0.3.10', [], ['B']),
            p('v0.3.11', ['A', 'C'], 2500, 2500, 1, 'v0.3.10', [], []),
          ],
          model_hashes: [
            { model: 'flux1-dev', model_hash: 'aaa', first_seen: at(50), last_seen: at(700), loads: 2 },
            { model: 'flux1-dev', model_hash: 'bbb', first_seen: at(3000), last_seen: at(3000), loads: 1 },
          ],
        },
        { host: 'a-2', timeline: [{ ...p('f1.0', ['x'], 100, 200, 2, null, null, null), runtime: 'forge' }], model_hashes: [] },
      ],
    });
    expect((await get(`/api/v1/versions?${win()}&host=a-2`)).json['hosts']).toHaveLength(1);
  });
});

describe('tenant isolation and hostile input on starts, cost and versions', () => {
  const paths = ['/api/v1/starts', '/api/v1/cost', '/api/v1/versions'];

  it("tenant A never sees tenant B's rows, and B sees its own", async () => {
    for (const path of paths) {
      const r = await get(`${path}?${win()}`);
      expect(r.status, r.body).toBe(200);
      expect(r.body, path).not.toMatch(/B-SECRET|b-secret-host/);
      const b = await get(`${path}?${win()}`, cb, B_KEY);
      expect(b.status, b.body).toBe(200);
      expect(b.body, path).toMatch(/B-SECRET|b-secret-host/);
      expect(b.body, path).not.toMatch(/"a-1"|"a-2"|H100/);
    }
    expect((await get(`/api/v1/starts?${win()}&host=b-secret-host`)).json).toMatchObject({ by_runtime: [], by_host: [] });
  });

  it('hostile strings in every parameter give 400 or an empty answer, never a 500 or a B row', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        "' OR 1=1 --",
        "b-secret-host' OR tenant='tenant-b",
        '\\',
        "\\'",
        '%00',
        'b-secret-host',
        '1e309',
        '-1',
        '2026-13-45T00:00:00Z',
        "') UNION ALL SELECT * FROM runtime_events --",
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom('from', 'to', 'host', 'runtime'), hostile, async (path, param, value) => {
        const r = await get(`${path}?${param}=${encodeURIComponent(value)}`);
        expect([200, 400]).toContain(r.status);
        expect(r.body).not.toMatch(/B-SECRET|b-secret-host"/);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a range beyond the guard with 400', async () => {
    const r = await get(`/api/v1/cost?from=2000-01-01T00:00:00Z&to=${at(0)}`);
    expect(r.status).toBe(400);
    expect(r.json['code']).toBe('COL_ERR_API_RANGE_TOO_LARGE');
  });
});
