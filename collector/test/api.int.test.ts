// Every read route against a real ClickHouse with two tenants of known data: answers computed by
// hand, no tenant-B row ever reaches tenant A, roles enforced, hostile parameters give 400 or empty.
import { fromSeriesColumns, type HostSeriesResponse } from '@renderwatch/schema';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig } from '../src/config.js';
import { sha256 } from '../src/http/api-keys.js';
import { createStorage } from '../src/storage/clickhouse.js';
import { raw } from '../src/storage/sql.js';
import { planRetention } from '../src/retention/retention.js';
import { refreshCapacity } from '../src/storage/capacity-rollup.js';
import { seedTwoTenants } from './api-seed.js';

const ADMIN_A = 'admin-key-of-tenant-a-0123456789';
const B_KEY = `rwk_${'b'.repeat(16)}_${'s'.repeat(32)}`;
let c: RunningCollector;
let db: string;
let base: string;
let hourMs: number;
const from = (): string => new Date(hourMs).toISOString();
const to = (): string => new Date(hourMs + 3600_000).toISOString();

async function get(path: string, key = ADMIN_A): Promise<{ status: number; body: string; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.text();
  return { status: res.status, body, json: JSON.parse(body) as Record<string, unknown> };
}

const ROUTES = (): string[] => {
  const r = `from=${encodeURIComponent(from())}&to=${encodeURIComponent(to())}`;
  return [
    '/api/v1/fleet',
    `/api/v1/fleet/utilization?${r}`,
    `/api/v1/fleet/summary?${r}`,
    `/api/v1/fleet/heatmap?${r}&step_s=60`,
    `/api/v1/hosts/a-host-1/series?${r}&step_s=60`,
    `/api/v1/hosts/b-secret-host/series?${r}&step_s=60`,
    `/api/v1/events?${r}`,
    `/api/v1/ooms?${r}`,
    `/api/v1/slowdowns?${r}`,
    `/api/v1/jobs/stats?${r}`,
    `/api/v1/capacity?${r}`,
    '/api/v1/whoami',
    '/api/v1/admin/keys',
    `/api/v1/starts?${r}`,
    `/api/v1/cost?${r}`,
    `/api/v1/versions?${r}`,
  ];
};

beforeAll(async () => {
  db = `rw_api_${randomBytes(4).toString('hex')}`;
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: ADMIN_A,
    COLLECTOR_API_ADMIN_TENANT: 'tenant-a',
    COLLECTOR_API_KEYS_REFRESH_MS: '100',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  c = await startCollector(cfg.config, pino({ level: 'silent' }));
  base = `http://127.0.0.1:${c.httpPort}`;
  ({ hourMs } = await seedTwoTenants(c.storage, Date.now()));
  await c.storage.insert('api_keys', [
    {
      id: 'b'.repeat(16),
      tenant: 'tenant-b',
      name: 'b',
      role: 'viewer',
      key_sha256: sha256(B_KEY),
      prefix: 'rwk_bbbb',
      created_at: '2026-01-01 00:00:00',
      revoked: 0,
      updated_at: '2026-01-01 00:00:00',
    },
  ]);
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(async () => {
  await c.stop();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

describe('read API on seeded data', () => {
  // Fleet-wide windows under 15 minutes read raw rows; from 15 minutes on, the 1-minute rollups.
  it.each([
    ['raw', 0, 10],
    ['1m', 0, 60],
    ['1m', 3 * 3600_000, 60],
  ])('fleet summary counts jobs, images, OOMs and thermal share (%s, %s ms before the hour, %s min)', async (resolution, extraMs, minutes) => {
    const r = await get(`/api/v1/fleet/summary?from=${new Date(hourMs - extraMs).toISOString()}&to=${new Date(hourMs + minutes * 60_000).toISOString()}`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({ resolution, jobs: 5, jobs_ok: 4, images: 8, ooms: 1, hosts_total: 1, gpus_total: 0 });
    // 20 busy samples, 2 with thermal bits.
    expect(r.json['thermal_throttle_share']).toBeCloseTo(0.1, 6);
    expect(r.json['utilization_ratio']).toBeCloseTo(0.7, 5);
    expect(r.json['images_per_min']).toBeCloseTo(8 / (minutes + extraMs / 60_000), 6);
  });

  it('host series: per-minute means and maxima, thermal band over minutes 0-1, markers, raw vs 1m agree', async () => {
    const r = await get(`/api/v1/hosts/a-host-1/series?from=${from()}&to=${to()}&step_s=60`);
    expect(r.status, r.body).toBe(200);
    const { gpus } = fromSeriesColumns(r.json as unknown as HostSeriesResponse);
    expect(r.json['resolution']).toBe('1m');
    expect(gpus).toHaveLength(1);
    expect(gpus[0]?.points).toHaveLength(10);
    expect(gpus[0]?.points[3]?.utilization_ratio).toBeCloseTo(0.7, 5);
    expect(gpus[0]?.points[3]?.memory_used_max_bytes).toBe(15 * 1024 ** 3);
    expect(r.json['throttle_bands']).toEqual([
      { gpu_uuid: 'a-host-1-gpu0', reason: 'thermal', from: from().replace('.000Z', 'Z'), to: new Date(hourMs + 120_000).toISOString(), peak_share: 0.5 },
    ]);
    expect((r.json['markers'] as unknown[]).length).toBe(7);
    const rawR = await get(`/api/v1/hosts/a-host-1/series?from=${from()}&to=${new Date(hourMs + 600_000).toISOString()}&step_s=30`);
    expect(rawR.json['resolution']).toBe('raw');
    const rawPts = fromSeriesColumns(rawR.json as unknown as HostSeriesResponse).gpus[0]?.points ?? [];
    expect(rawPts.map((p) => p.utilization_ratio).slice(0, 2)).toEqual([0.5, expect.closeTo(0.9, 5)]);
  });

  it('OOM explorer joins the OOM job and groups by cause/model/resolution/batch/tier', async () => {
    const r = await get(`/api/v1/ooms?from=${from()}&to=${to()}`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({
      total: 1,
      by_cause: [{ key: 'batch', count: 1 }],
      by_model: [{ key: 'flux1-dev', count: 1 }],
      by_resolution: [{ key: '1024x1024', count: 1 }],
      by_batch: [{ key: '4', count: 1 }],
      by_gpu_tier: [{ key: '24', count: 1 }],
    });
    expect((r.json['events'] as unknown[])[0]).toMatchObject({
      cause_rule: 'batch_gt_1_scales',
      job_id: 'a-oom',
      batch: 4,
      requested_bytes: 2 * 1024 ** 3,
      gpu_tier_gb: 24,
    });
    expect((r.json['advice'] as { cause: string }[]).map((a) => a.cause)).toEqual(['batch']);
    // Filtered, the counts come from the per-OOM joined rows (oom_context): the same answer.
    const f = await get(`/api/v1/ooms?from=${from()}&to=${to()}&cause=batch`);
    expect(f.json).toMatchObject({
      total: 1,
      by_model: [{ key: 'flux1-dev', count: 1 }],
      by_batch: [{ key: '4', count: 1 }],
      by_gpu_tier: [{ key: '24', count: 1 }],
    });
    expect((await get(`/api/v1/ooms?from=${from()}&to=${to()}&model=sd15`)).json).toMatchObject({ total: 0, events: [] });
  });

  // Jobs: 4 in minute 0 (samples 10 and 12 GiB → peak 12), 1 in minute 5 (15 and 17 → 17); weighted by jobs.
  it('capacity: job-weighted VRAM peak percentiles and the tier with 10% headroom', async () => {
    await refreshCapacity(c.storage, new Date(hourMs), new Date(hourMs + 3600_000));
    const r = await get(`/api/v1/capacity?from=${from()}&to=${to()}`);
    expect(r.status, r.body).toBe(200);
    const w = (r.json['workloads'] as Record<string, unknown>[])[0];
    expect(w).toMatchObject({
      model: 'flux1-dev',
      runtime: 'comfyui',
      width: 1024,
      height: 1024,
      jobs: 5,
      vram_peak_p50_bytes: 12 * 1024 ** 3,
      vram_peak_p99_bytes: 17 * 1024 ** 3,
      fits_tier_gb: 24,
    });
    expect(r.json).toMatchObject({ resolution: '1h', from: from(), to: to() });
    expect(r.json['gpu_models']).toEqual([
      { gpu_name: 'NVIDIA L4', gpus: 1, gpu_hours: 10 / 60, busy_gpu_hours: expect.closeTo((10 / 60) * 0.7, 5), utilization_ratio: expect.closeTo(0.7, 5) },
    ]);
  });

  it('job stats: outcomes, completion ratio and duration percentiles by model', async () => {
    const r = await get(`/api/v1/jobs/stats?from=${from()}&to=${to()}`);
    expect(r.status, r.body).toBe(200);
    // durations 10, 20, 30, 40 (ok) and 3 (oom): t-digest keeps every point at this size → exact.
    expect(r.json['rows']).toEqual([
      {
        model: 'flux1-dev',
        runtime: 'comfyui',
        jobs: 5,
        ok: 4,
        oom: 1,
        error: 0,
        interrupted: 0,
        completion_ratio: 0.8,
        images: 8,
        duration_p50_s: 20,
        duration_p90_s: 40,
        duration_p99_s: 40,
        // per image: the ok jobs' 10/2, 20/2, 30/2, 40/2 = 5, 10, 15, 20 (the OOM's 3 s and 0 images left out)
        seconds_per_image_p50_s: expect.any(Number),
        seconds_per_image_p90_s: 20,
        seconds_per_image_p99_s: 20,
      },
    ]);
    // t-digest's median of four points: 18.16 interpolates between the middle two (12.5), a current ClickHouse takes the lower (10)
    expect([10, 12.5]).toContain((r.json['rows'] as { seconds_per_image_p50_s: number }[])[0]?.seconds_per_image_p50_s);
  });

  it('heatmap: one row per host, mean utilization per minute bucket, null where no data', async () => {
    const r = await get(`/api/v1/fleet/heatmap?from=${from()}&to=${to()}&step_s=60`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({ resolution: '1m', step_s: 60 });
    expect((r.json['times'] as string[]).length).toBe(60);
    const rows = r.json['rows'] as { host: string; values: (number | null)[] }[];
    expect(rows.map((x) => x.host)).toEqual(['a-host-1']);
    expect(rows[0]?.values.slice(0, 11)).toEqual([...Array.from({ length: 10 }, () => 0.7), null]);
  });

  it('events list filters by kind and returns stored fields only', async () => {
    const r = await get(`/api/v1/events?from=${from()}&to=${to()}&kind=model_load`);
    expect(r.status, r.body).toBe(200);
    expect(r.json['events']).toEqual([
      {
        ts: new Date(hourMs + 5000).toISOString().replace('.000Z', 'Z'),
        host: 'a-host-1',
        kind: 'model_load',
        runtime: 'comfyui',
        gpu_index: 0,
        fields: { model: 'flux1-dev', source: 'disk', duration_s: 20 },
      },
    ]);
  });

  it('openapi lists every route', async () => {
    const r = await get('/openapi.json');
    const paths = Object.keys(r.json['paths'] as object);
    for (const p of [
      '/api/v1/fleet/summary',
      '/api/v1/fleet/heatmap',
      '/api/v1/hosts/{host}/series',
      '/api/v1/events',
      '/api/v1/ooms',
      '/api/v1/slowdowns',
      '/api/v1/capacity',
      '/api/v1/jobs/stats',
      '/api/v1/admin/keys',
      '/api/v1/starts',
      '/api/v1/cost',
      '/api/v1/versions',
    ]) {
      expect(paths).toContain(p);
    }
  });
});

describe('tenant isolation and roles', () => {
  it('tenant A walks every route and never sees a tenant-B row', async () => {
    for (const path of ROUTES()) {
      const r = await get(path);
      expect(r.status, `${path}: ${r.body}`).toBe(200);
      expect(r.body, path).not.toMatch(/B-SECRET/);
      if (!path.includes('/hosts/b-secret-host/')) expect(r.body, path).not.toContain('b-secret-host');
    }
    const bHost = await get(ROUTES()[5] ?? '');
    expect(bHost.json).toMatchObject({ host: 'b-secret-host', gpus: [], times: [], markers: [], processes: [] });
    // a-host-1 last reported GPU samples an hour ago: found by the per-host fallback lookup.
    const a = await get('/api/v1/fleet');
    expect(
      (a.json['hosts'] as { host: string; gpus: { uuid: string; utilization_ratio: number }[] }[]).map((h) => [h.host, h.gpus.map((g) => g.uuid)]),
    ).toEqual([['a-host-1', ['a-host-1-gpu0']]]);
  });

  it("tenant B's viewer key sees only B, and cannot manage keys", async () => {
    const r = await get(`/api/v1/events?from=${from()}&to=${to()}`, B_KEY);
    expect(r.status, r.body).toBe(200);
    expect(r.body).toContain('B-SECRET-JOB');
    expect(r.body).not.toContain('a-host-1');
    expect((await get('/api/v1/admin/keys', B_KEY)).status).toBe(403);
  });

  it('no key → 401, unknown key → 401; a created key works until revoked', async () => {
    expect((await fetch(`${base}/api/v1/fleet`)).status).toBe(401);
    expect((await get('/api/v1/fleet', 'rwk_0000000000000000_nope-nope-nope-nope-nope')).status).toBe(401);
    const res = await fetch(`${base}/api/v1/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_A}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', role: 'viewer' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string };
    expect((await get('/api/v1/whoami', created.key)).json).toEqual({ tenant: 'tenant-a', role: 'viewer', auth: 'api_key' });
    const del = await fetch(`${base}/api/v1/admin/keys/${created.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_A}` } });
    expect(del.status).toBe(200);
    expect((await get('/api/v1/whoami', created.key)).status).toBe(401);
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
    const params = ['from', 'to', 'step_s', 'host', 'gpu_uuid', 'kind', 'runtime', 'model', 'cause', 'limit', 'baseline_days'];
    const paths = [
      '/api/v1/fleet/utilization',
      '/api/v1/fleet/summary',
      '/api/v1/fleet/heatmap',
      '/api/v1/events',
      '/api/v1/ooms',
      '/api/v1/slowdowns',
      '/api/v1/capacity',
      '/api/v1/jobs/stats',
      '/api/v1/starts',
      '/api/v1/cost',
      '/api/v1/versions',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom(...params), hostile, async (path, param, value) => {
        const r = await get(`${path}?${param}=${encodeURIComponent(value)}`);
        expect([200, 400]).toContain(r.status);
        expect(r.body).not.toMatch(/B-SECRET|b-secret-host"/);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const r = await get(`/api/v1/hosts/${encodeURIComponent(value || 'x')}/series`);
        expect([200, 400, 404]).toContain(r.status);
        expect(r.body).not.toMatch(/B-SECRET/);
      }),
      { numRuns: 20 },
    );
  });
});

describe('retention', () => {
  it('dry-run plan lists partitions older than each family cutoff and nothing newer', async () => {
    const old = Date.now() - 10 * 86400_000;
    await c.storage.insert('gpu_samples', [
      {
        tenant: 'tenant-a',
        host: 'old',
        agent_id: 'x',
        ts: new Date(old).toISOString().slice(0, 19).replace('T', ' '),
        ts_ms: 0,
        gpu_index: 0,
        gpu_uuid: 'g',
        gpu_name: 'n',
        mig_enabled: 0,
        process_pids: [],
        process_names: [],
        process_runtimes: [],
        process_mem_bytes: [],
        batch_seq: 1,
      },
    ]);
    const day = new Date(old).toISOString().slice(0, 10).replaceAll('-', '');
    const plan = await planRetention(c.storage, { raw: 7, rollup_1m: 35, rollup_1h: 400, events: 90, ledger: 14 }, Date.now());
    expect(plan.drops.map((d) => `${d.table}:${d.partition}`).sort()).toEqual([`gpu_samples:${day}`]);
  });
});
