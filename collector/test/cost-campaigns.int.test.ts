// GET /api/v1/cost?by=campaign and the `cost` of GET /api/v1/campaigns/{id} against a real
// ClickHouse: campaigns on known GPUs with known samples, the GPU-hours, kWh, money and money per
// image worked out by hand below.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig } from '../src/config.js';
import { splitTs } from '../src/domain/time.js';
import { createStorage, type Storage } from '../src/storage/clickhouse.js';
import { raw } from '../src/storage/sql.js';

const KEY = 'admin-key-of-tenant-a-campaign-cost';
let c: RunningCollector;
let db: string;
/** Start of the seeded two hours: three hours before the current one. */
const H = Math.floor(Date.now() / 3600_000) * 3600_000 - 3 * 3600_000;
const min = (m: number): number => H + m * 60_000;
const at = (m: number): string => new Date(min(m)).toISOString();

async function get(path: string): Promise<{ status: number; body: string; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  const body = await res.text();
  return { status: res.status, body, json: JSON.parse(body) as Record<string, unknown> };
}

// Samples once a minute for minutes 0-119, each standing for the minute before it (interval_ms
// 60 000: the sample at minute m stands for (m-1, m]), with a known energy increase each:
// h-1 GPU 0 (H100, $2.00/h) 6000 J, h-1 GPU 1 (L4, $0.50/h) 1200 J, h-2's only GPU (L4) 600 J.
// Tenant B has the same host name, GPU and campaign id with other numbers: none may reach tenant A.
function samples(): Record<string, unknown>[] {
  const gpus = [
    { tenant: 'tenant-a', host: 'h-1', gpu_index: 0, gpu_uuid: 'h1-g0', gpu_name: 'NVIDIA H100 80GB HBM3', e: 6000 },
    { tenant: 'tenant-a', host: 'h-1', gpu_index: 1, gpu_uuid: 'h1-g1', gpu_name: 'NVIDIA L4', e: 1200 },
    { tenant: 'tenant-a', host: 'h-2', gpu_index: 0, gpu_uuid: 'h2-g0', gpu_name: 'NVIDIA L4', e: 600 },
    { tenant: 'tenant-b', host: 'h-1', gpu_index: 0, gpu_uuid: 'h1-g0', gpu_name: 'NVIDIA H100 80GB HBM3', e: 9e6 },
  ];
  const rows: Record<string, unknown>[] = [];
  for (let m = 0; m < 120; m++) {
    for (const { e, ...g } of gpus) {
      rows.push({
        ...g,
        agent_id: `${g.host}-agent`,
        ...splitTs(min(m)),
        util_ratio: 0.9,
        interval_ms: 60_000,
        energy_delta_joules: e,
        mig_enabled: 0,
        process_pids: [],
        process_names: [],
        process_runtimes: [],
        process_mem_bytes: [],
        batch_seq: 1,
      });
    }
  }
  // h-3 (one L4, 300 J a sample) reports minutes 120-179 only: the third hour, outside `win` below
  for (let m = 120; m < 180; m++) {
    rows.push({ ...rows[0], host: 'h-3', agent_id: 'h-3-agent', gpu_uuid: 'h3-g0', gpu_name: 'NVIDIA L4', ...splitTs(min(m)), energy_delta_joules: 300 });
  }
  return rows;
}

let seq = 0;
function ev(host: string, m: number, f: Record<string, unknown>, tenant = 'tenant-a'): Record<string, unknown> {
  return { tenant, host, agent_id: `${host}-agent`, ...splitTs(min(m)), batch_seq: 1, seq: seq++, runtime: 'comfyui', extensions: [], ...f };
}

/** A job from minute `a` to minute `b` (no end when b is null) on `gpu` (no index when null). */
function job(host: string, id: string, campaign: string, label: string, gpu: number | null, a: number, b: number | null, images: number, tenant?: string) {
  const tag = { job_id: id, campaign_id: campaign, campaign_label: label, gpu_index: gpu };
  const out = [ev(host, a, { kind: 'job_start', ...tag }, tenant)];
  if (b !== null) out.push(ev(host, b, { kind: 'job_end', ...tag, outcome: 'ok', images, duration_s: (b - a) * 60 }, tenant));
  return out;
}

async function seed(storage: Storage): Promise<void> {
  await storage.insert('gpu_samples', samples());
  await storage.insert('runtime_events', [
    // Campaign "alpha" (l-alpha) on h-1 GPU 0, the H100:
    //   a1 minutes 10-28 (samples 11-28 whole); a job outside any campaign shares the GPU over
    //   minutes 22-28, so samples 23-28 are half a1's: 12 + 6 x 0.5 = 15 samples' worth = 900 s.
    //   a2 minutes 28.5-34: half of sample 29 and samples 30-34 = 5.5 samples' worth = 330 s (a sample
    //   counted whole when its timestamp falls in the job would give 6).
    //   a3 has no GPU index on h-1, which has two GPUs: no GPU time, 1 unattributed job.
    //   1230 s = 0.341 666 GPU-h x $2.00 = $0.683 333; 20.5 samples' worth x 6000 J = 123 000 J;
    //   images 4 + 4 + 5 = 13, so $0.683 333 / 13 per image; 3 jobs.
    ...job('h-1', 'a1', 'l-alpha', 'alpha', 0, 10, 28, 4),
    ...job('h-1', 'x1', '', '', 0, 22, 28, 1),
    ...job('h-1', 'a2', 'l-alpha', 'alpha', 0, 28.5, 34, 4),
    ...job('h-1', 'a3', 'l-alpha', 'alpha', null, 40, 41, 5),
    // Campaign c-beta (no label) on the L4s:
    //   b1 on h-1 GPU 1 minutes 0-60: samples 1-60 = 3600 s, 72 000 J, 10 images.
    //   b2 with no GPU index on h-2 (one GPU): minutes 60-70 on it = 600 s, 6000 J, 6 images.
    //   b3 on h-1 GPU 1 starts at minute 80 and never ends; the runtime restart recorded for the
    //   campaign at minute 90 ends it: samples 81-90 = 600 s, 12 000 J; not a job that ended.
    //   b5 and b6 together on h-1 GPU 1, minutes 100-110: the GPU's 600 s once, 12 000 J, 2 + 2 images.
    //   5400 s = 1.5 GPU-h x $0.50 = $0.75; 102 000 J; 20 images, 4 jobs: $0.0375 per image.
    ...job('h-1', 'b1', 'c-beta', '', 1, 0, 60, 10),
    ...job('h-2', 'b2', 'c-beta', '', null, 60, 70, 6),
    ...job('h-1', 'b3', 'c-beta', '', 1, 80, null, 0),
    ev('h-1', 90, { kind: 'campaign', campaign_id: 'c-beta', interruption: 'runtime_restart', lost_jobs: 1 }),
    ...job('h-1', 'b5', 'c-beta', '', 1, 100, 110, 2),
    ...job('h-1', 'b6', 'c-beta', '', 1, 100, 110, 2),
    // h-3, third hour: c-delta's d1 starts at minute 125 and never ends; c-delta's restart event at
    // minute 130 ends it. c-gamma's g1 runs minutes 126-140 on the same GPU: samples 127-130 are
    // shared with d1 (half each), 131-140 are g1's alone: 4 x 0.5 + 10 = 12 samples' worth = 720 s
    // = 0.2 GPU-h x $0.50 = $0.10, 12 x 300 J = 3600 J, 2 images: $0.05 per image. (Were d1's end
    // looked up among c-gamma's events only, d1 would hold the GPU until now: 7 samples' worth.)
    ...job('h-3', 'd1', 'c-delta', '', 0, 125, null, 0),
    ev('h-3', 130, { kind: 'campaign', campaign_id: 'c-delta', interruption: 'runtime_restart', lost_jobs: 1 }),
    ...job('h-3', 'g1', 'c-gamma', 'gamma', 0, 126, 140, 2),
    // c-old: one job nine days ago on h-2, before the raw samples kept (7 days by default)
    ...job('h-2', 'o1', 'c-old', 'old', 0, -9 * 1440, -9 * 1440 + 5, 3),
    // tenant B: the same host, GPU and campaign id
    ...job('h-1', 'a1', 'l-alpha', 'B-SECRET', 0, 0, 119, 1000, 'tenant-b'),
  ]);
}

beforeAll(async () => {
  db = `rw_cost_camp_${randomBytes(4).toString('hex')}`;
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: KEY,
    COLLECTOR_API_ADMIN_TENANT: 'tenant-a',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_GPU_PRICES: 'H100=2.00,L4=0.50',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  c = await startCollector(cfg.config, pino({ level: 'silent' }));
  await seed(c.storage);
});

afterAll(async () => {
  await c.stop();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

const close = (v: number): unknown => expect.closeTo(v, 9);
/** Campaign alpha, worked by hand: 1230 s on the H100 at $2.00/h, 123 000 J, 3 jobs (1 without a GPU), 13 images. */
const ALPHA_FIGURES = {
  gpu_names: ['NVIDIA H100 80GB HBM3'],
  jobs: 3,
  images: 13,
  unattributed_jobs: 1,
  gpu_hours: close(1230 / 3600),
  energy_kwh: close(123_000 / 3.6e6),
  cost: close((1230 / 3600) * 2),
  unpriced_gpu_hours: 0,
  cost_per_image: close(((1230 / 3600) * 2) / 13),
};

describe('GET /api/v1/cost?by=campaign', () => {
  const win = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(120))}`;

  it('shares each GPU sample among the jobs on that GPU: GPU-hours, kWh, money and money per image per campaign', async () => {
    const r = await get(`/api/v1/cost?${win}&by=campaign`);
    expect(r.status, r.body).toBe(200);
    expect(r.body).not.toMatch(/B-SECRET/);
    expect(r.json['campaigns']).toEqual([
      {
        id: 'c-beta',
        label: null,
        runtime: 'comfyui',
        hosts: ['h-1', 'h-2'],
        gpu_names: ['NVIDIA L4'],
        jobs: 4,
        images: 20,
        unattributed_jobs: 0,
        gpu_hours: close(1.5),
        energy_kwh: close(102_000 / 3.6e6),
        cost: close(0.75),
        unpriced_gpu_hours: 0,
        cost_per_image: close(0.0375),
      },
      {
        id: 'l-alpha',
        label: 'alpha',
        runtime: 'comfyui',
        hosts: ['h-1'],
        ...ALPHA_FIGURES,
      },
    ]);
  });

  it('answers the GPU models as without `by`, and no campaigns section without it', async () => {
    const plain = await get(`/api/v1/cost?${win}`);
    const by = await get(`/api/v1/cost?${win}&by=campaign`);
    expect(plain.json['campaigns']).toBeUndefined();
    expect(by.json['gpu_models']).toEqual(plain.json['gpu_models']);
    expect(by.json['totals']).toEqual(plain.json['totals']);
  });

  it('filters by host: only the work on that host', async () => {
    // h-2: b2 alone, 600 s on its L4 = 1/6 GPU-h x $0.50, 6000 J, 1 job of 6 images
    const r = await get(`/api/v1/cost?${win}&by=campaign&host=h-2`);
    expect(r.status, r.body).toBe(200);
    expect(r.json['campaigns']).toEqual([
      expect.objectContaining({
        id: 'c-beta',
        hosts: ['h-2'],
        jobs: 1,
        images: 6,
        gpu_hours: close(1 / 6),
        energy_kwh: close(6000 / 3.6e6),
        cost: close(0.5 / 6),
      }),
    ]);
    expect((await get(`/api/v1/cost?${win}&by=campaign&host=no-such-host`)).json['campaigns']).toEqual([]);
  });

  it('counts a sample in the range its timestamp falls in, and a job in the range its end falls in', async () => {
    // [0, 60): alpha whole (samples 11-34: 1230 s; a1, a2, a3 ended). beta: b1's samples 1-59 (the one
    // at minute 60 stands for minute 59-60 but falls in the next hour) = 3540 s; b1 ends at minute 60: no job.
    const r = await get(`/api/v1/cost?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(60))}&by=campaign`);
    const rows = r.json['campaigns'] as { id: string; gpu_hours: number; jobs: number; images: number; cost: number; cost_per_image: number | null }[];
    expect(rows.map((x) => [x.id, x.gpu_hours, x.jobs, x.images, x.cost, x.cost_per_image])).toEqual([
      ['l-alpha', close(1230 / 3600), 3, 13, close((1230 / 3600) * 2), close(((1230 / 3600) * 2) / 13)],
      ['c-beta', close(3540 / 3600), 0, 0, close((3540 / 3600) * 0.5), null],
    ]);
  });

  it('rejects an unknown grouping and a range beyond the guard with 400 like the other routes; SQL in the host is a value; an unknown campaign is a 404', async () => {
    const bad = await get(`/api/v1/cost?${win}&by=tier`);
    expect(bad.status).toBe(400);
    const huge = await get(`/api/v1/cost?from=2000-01-01T00:00:00Z&to=${encodeURIComponent(at(0))}&by=campaign`);
    expect(huge.status).toBe(400);
    expect(huge.json['code']).toBe('COL_ERR_API_RANGE_TOO_LARGE');
    // a host with SQL in it is a value, not SQL: no such host, no campaign, no tenant-B row
    const inj = await get(`/api/v1/cost?${win}&by=campaign&host=${encodeURIComponent("h-1' OR tenant = 'tenant-b")}`);
    expect(inj.status, inj.body).toBe(200);
    expect(inj.json['campaigns']).toEqual([]);
    const nf = await get(`/api/v1/campaigns/no-such-campaign?${win}`);
    expect(nf.status).toBe(404);
    expect(nf.json['code']).toBe('COL_ERR_API_NOT_FOUND');
  });
});

/** The figures the detail's cost shares with a by=campaign row. */
const figures = (x: Record<string, unknown>): Record<string, unknown> => {
  const { jobs, images, unattributed_jobs, gpu_names, gpu_hours, energy_kwh, cost, unpriced_gpu_hours, cost_per_image } = x;
  return { jobs, images, unattributed_jobs, gpu_names, gpu_hours, energy_kwh, cost, unpriced_gpu_hours, cost_per_image };
};

describe('GET /api/v1/campaigns/{id}: cost', () => {
  const win = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(120))}`;

  it('answers the same figures as its by=campaign row, worked out by hand above', async () => {
    const by = (await get(`/api/v1/cost?${win}&by=campaign`)).json['campaigns'] as Record<string, unknown>[];
    const alpha = await get(`/api/v1/campaigns/l-alpha?${win}`);
    expect(alpha.status, alpha.body).toBe(200);
    expect(alpha.body).not.toMatch(/B-SECRET/);
    const cost = alpha.json['cost'] as Record<string, unknown>;
    expect(cost).toEqual({
      from: at(0),
      to: at(120),
      ...ALPHA_FIGURES,
      unknown: null,
      error_code: null,
    });
    expect(figures(cost)).toEqual(figures(by.find((r) => r['id'] === 'l-alpha') ?? {}));
    const beta = (await get(`/api/v1/campaigns/c-beta?${win}`)).json['cost'] as Record<string, unknown>;
    expect([beta['gpu_hours'], beta['energy_kwh'], beta['cost'], beta['cost_per_image'], beta['jobs'], beta['images']]).toEqual([
      close(1.5),
      close(102_000 / 3.6e6),
      close(0.75),
      close(0.0375),
      4,
      20,
    ]);
    expect(figures(beta)).toEqual(figures(by.find((r) => r['id'] === 'c-beta') ?? {}));
  });

  it("shares the GPU with another campaign's job that a restart ended, as by=campaign does", async () => {
    const w = `from=${encodeURIComponent(at(120))}&to=${encodeURIComponent(at(180))}`;
    const r = await get(`/api/v1/campaigns/c-gamma?${w}`);
    expect(r.status, r.body).toBe(200);
    const cost = r.json['cost'] as Record<string, unknown>;
    expect(figures(cost)).toEqual({
      jobs: 1,
      images: 2,
      unattributed_jobs: 0,
      gpu_names: ['NVIDIA L4'],
      gpu_hours: close(0.2),
      energy_kwh: close(3600 / 3.6e6),
      cost: close(0.1),
      unpriced_gpu_hours: 0,
      cost_per_image: close(0.05),
    });
    const by = (await get(`/api/v1/cost?${w}&by=campaign`)).json['campaigns'] as Record<string, unknown>[];
    expect(figures(cost)).toEqual(figures(by.find((x) => x['id'] === 'c-gamma') ?? {}));
  });

  it('covers the range widened to whole hours, as /api/v1/cost does', async () => {
    const r = await get(`/api/v1/campaigns/l-alpha?from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(100))}`);
    const cost = r.json['cost'] as Record<string, unknown>;
    expect([cost['from'], cost['to'], cost['gpu_hours']]).toEqual([at(0), at(120), close(1230 / 3600)]);
  });

  it('has no GPU figures when the campaign ran before the raw samples kept, but still its jobs; a range reaching back that far does not hide a recent campaign', async () => {
    const back = `from=${encodeURIComponent(at(-10 * 1440))}&to=${encodeURIComponent(at(120))}`;
    const old = await get(`/api/v1/campaigns/c-old?${back}`);
    expect(old.status, old.body).toBe(200);
    expect(old.json['cost']).toEqual({
      from: at(-10 * 1440),
      to: at(120),
      gpu_names: [],
      jobs: 1,
      images: 3,
      unattributed_jobs: 0,
      gpu_hours: null,
      energy_kwh: null,
      cost: null,
      unpriced_gpu_hours: null,
      cost_per_image: null,
      unknown: 'past_raw_retention',
      error_code: null,
    });
    const alpha = (await get(`/api/v1/campaigns/l-alpha?${back}`)).json['cost'] as Record<string, unknown>;
    expect([alpha['unknown'], alpha['gpu_hours'], alpha['cost']]).toEqual([null, close(1230 / 3600), close((1230 / 3600) * 2)]);
  });
});
