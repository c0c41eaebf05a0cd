// GET /api/v1/cost over several days (migration 0012: whole days from gpu_cost_1d, the partial days
// hour by hour from gpu_cost_1h) and the 0012 backfill from the rollups /cost read before, against a
// real ClickHouse. Expected values are counted from the seeded samples in the test, not by a query.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig } from '../src/config.js';
import { createStorage, ensureDatabase, type Storage } from '../src/storage/clickhouse.js';
import { loadMigrations, migrate } from '../src/storage/migrate.js';
import { raw } from '../src/storage/sql.js';
import { splitTs } from '../src/domain/time.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const KEY = 'admin-key-of-the-cost-rollup-test';
const dbs: string[] = [];
const running: RunningCollector[] = [];

async function collector(db: string): Promise<RunningCollector> {
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: KEY,
    COLLECTOR_API_ADMIN_TENANT: 'tenant-c',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_GPU_PRICES: 'L40S=1.00',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const c = await startCollector(cfg.config, pino({ level: 'silent' }));
  running.push(c);
  return c;
}

async function cost(c: RunningCollector, from: number, to: number): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/cost?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return JSON.parse(body) as Record<string, unknown>;
}

function gpuRow(ms: number, energy: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'tenant-c',
    host: 'c-1',
    agent_id: 'c-1-agent',
    ...splitTs(ms),
    gpu_index: 0,
    gpu_uuid: 'c-1-gpu0',
    gpu_name: 'NVIDIA L40S',
    energy_joules: energy,
    mig_enabled: 0,
    process_pids: [],
    process_names: [],
    process_runtimes: [],
    process_mem_bytes: [],
    batch_seq: 1,
    ...extra,
  };
}

function job(ms: number, seq: number, images: number): Record<string, unknown> {
  return {
    tenant: 'tenant-c',
    host: 'c-1',
    agent_id: 'c-1-agent',
    ...splitTs(ms),
    batch_seq: 1,
    seq,
    runtime: 'comfyui',
    kind: 'job_end',
    job_id: `j${seq}`,
    outcome: 'ok',
    images,
    gpu_index: 0,
    extensions: [],
  };
}

async function freshDb(): Promise<{ db: string; storage: Storage }> {
  const db = `rw_cost_${randomBytes(4).toString('hex')}`;
  dbs.push(db);
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  return { db, storage: createStorage(o) };
}

afterAll(async () => {
  for (const c of running) await c.stop();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  for (const db of dbs) await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

type Model = { gpu_name: string; gpu_hours: number; energy_kwh: number | null; jobs: number; images: number; cost: number | null };

describe('GET /api/v1/cost across days', () => {
  // One L40S sampled once an hour at hh:30 for 4 days before today, each sample standing for an hour
  // (interval_ms) and +1000 J (energy_delta_joules; none on the first sample); a job of 2 images at hh:45.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const t0 = today - 4 * DAY;
  const hours = Array.from({ length: 4 * 24 }, (_, i) => t0 + i * HOUR);
  let c: RunningCollector;

  beforeAll(async () => {
    const { db, storage } = await freshDb();
    c = await collector(db);
    await storage.insert(
      'gpu_samples',
      hours.map((h, i) => gpuRow(h + 30 * 60_000, 5e6 + 1000 * i, { interval_ms: HOUR, energy_delta_joules: i === 0 ? null : 1000 })),
    );
    await storage.insert(
      'runtime_events',
      hours.map((h, i) => job(h + 45 * 60_000, i, 2)),
    );
    await storage.close();
  });

  // What the window holds, counted from the seeded hours.
  const expected = (from: number, to: number): Model => {
    const inside = hours.filter((h) => h >= from && h < to);
    const energy = inside.filter((h) => h !== t0).length * 1000;
    return {
      gpu_name: 'NVIDIA L40S',
      gpu_hours: inside.length,
      energy_kwh: energy / 3.6e6,
      jobs: inside.length,
      images: 2 * inside.length,
      cost: inside.length,
    };
  };
  const pick = (r: Record<string, unknown>): Model[] =>
    (r['gpu_models'] as Model[]).map((m) => ({
      gpu_name: m.gpu_name,
      gpu_hours: m.gpu_hours,
      energy_kwh: m.energy_kwh,
      jobs: m.jobs,
      images: m.images,
      cost: m.cost,
    }));

  it('adds whole days from the daily rollup to the partial days hour by hour', async () => {
    // 10:00 on the first day to 05:00 on the last: 14 + 24 + 24 + 5 hours.
    const from = t0 + 10 * HOUR,
      to = t0 + 3 * DAY + 5 * HOUR;
    const r = await cost(c, from, to);
    expect(r['resolution']).toBe('1d');
    expect(pick(r)).toEqual([{ ...expected(from, to), energy_kwh: expect.closeTo(expected(from, to).energy_kwh ?? 0, 12) }]);
    expect(pick(r)[0]?.gpu_hours).toBe(67);
  });

  it('answers whole days only, and a window within one day from hours only', async () => {
    const all = await cost(c, t0, today);
    expect(pick(all)).toEqual([{ ...expected(t0, today), energy_kwh: expect.closeTo((95 * 1000) / 3.6e6, 12) }]);
    expect(pick(all)[0]?.gpu_hours).toBe(96);
    const part = await cost(c, t0 + DAY + 3 * HOUR, t0 + DAY + 9 * HOUR);
    expect(part['resolution']).toBe('1h');
    expect(pick(part)).toEqual([{ ...expected(t0 + DAY + 3 * HOUR, t0 + DAY + 9 * HOUR), energy_kwh: expect.closeTo(6000 / 3.6e6, 12) }]);
  });
});

describe('migration 0012 backfill', () => {
  // A database at migration 0011 holding samples without interval_ms: two hours of an L40S sampled
  // every 10 s (minutes 0-59 of the first hour, 0-29 of the second), counter +250 J per sample with a
  // reset to 100 J at the second hour's minute 10; 3 jobs.
  it('carries GPU-hours (minutes with samples), in-hour energy and jobs over from the old rollups', async () => {
    const { db, storage } = await freshDb();
    await migrate(
      storage,
      (await loadMigrations()).filter((m) => m.version < 12),
    );
    const h0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const rows: Record<string, unknown>[] = [];
    let e = 1e6;
    for (let s = 0; s < 3600; s += 10) rows.push(gpuRow(h0 + s * 1000, (e += 250)));
    const firstHour = e - (1e6 + 250); // 359 steps of 250 J
    let second = 0;
    e = 2e6;
    for (let s = 0; s < 1800; s += 10) {
      const prev = e;
      e = s === 600 ? 100 : e + 250;
      if (s > 0) second += e >= prev ? e - prev : e;
      rows.push(gpuRow(h0 + HOUR + s * 1000, e));
    }
    await storage.insert('gpu_samples', rows);
    await storage.insert('runtime_events', [job(h0 + 60_000, 1, 4), job(h0 + HOUR + 60_000, 2, 1), job(h0 + HOUR + 120_000, 3, 1)]);
    await storage.close();
    const c = await collector(db); // applies 0012
    const check = async (): Promise<void> => {
      const r = await cost(c, h0, h0 + 2 * HOUR);
      const m = (r['gpu_models'] as Model[])[0];
      expect(m?.gpu_hours).toBe(1.5);
      expect(m?.energy_kwh).toBeCloseTo((firstHour + second) / 3.6e6, 12);
      expect([m?.jobs, m?.images]).toEqual([3, 6]);
      // the same through the daily table: the whole days around both hours
      const day = Math.floor(h0 / DAY) * DAY;
      const d = await cost(c, day, day + 2 * DAY);
      expect(d['resolution']).toBe('1d');
      expect((d['gpu_models'] as Model[])[0]?.gpu_hours).toBe(1.5);
    };
    expect(second).toBe(59 * 250 + 100 + 119 * 250);
    await check();
    // Every statement of 0012 once more (a second collector migrating at the same time, or a run
    // stopped before it was recorded): the backfill must not count the history twice.
    const again = createStorage({ url: inject('clickhouseUrl'), database: db, username: 'default', password: '' });
    const m12 = (await loadMigrations()).find((m) => m.version === 12);
    if (m12 === undefined) throw new Error('no migration 12');
    await migrate(again, [{ ...m12, version: 9012, name: '0012_rerun' }]);
    await again.close();
    await check();
  });
});
