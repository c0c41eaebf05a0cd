// cache_miss_ratio on /api/v1/slowdowns counts every load that missed the cache — disk, download and
// network — at every resolution (raw runtime_events, the jobs_host 1m/1h rollups of migration 0027),
// against a real ClickHouse; and 0027 on a database rolled up before it (history keeps its count).
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { splitTs } from '../../domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../clickhouse.js';
import { loadMigrations, migrate } from '../migrate.js';
import { resolveRange, type ResolvedRange } from '../resolution.js';
import { scoped } from '../scope.js';
import { raw } from '../sql.js';
import { cacheMissRatio, querySlowdowns } from './slowdowns.js';

const HOUR = 3600_000;
const TENANT = 'tenant-cache';
const dbs: string[] = [];
const stores: Storage[] = [];

async function freshDb(): Promise<Storage> {
  const db = `rw_cachemiss_${randomBytes(4).toString('hex')}`;
  dbs.push(db);
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  const s = createStorage(o);
  stores.push(s);
  return s;
}

afterAll(async () => {
  for (const s of stores) await s.close();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  for (const db of dbs) await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

let seq = 0;
function ev(ms: number, kind: string, extra: Record<string, unknown>): Record<string, unknown> {
  seq++;
  return {
    tenant: TENANT,
    host: 'h1',
    agent_id: 'h1-agent',
    ...splitTs(ms),
    batch_seq: 1,
    seq,
    runtime: 'comfyui',
    kind,
    gpu_index: 0,
    extensions: [],
    ...extra,
  };
}
const load = (ms: number, source: string): Record<string, unknown> => ev(ms, 'model_load', { model: 'sdxl.safetensors', source });
const jobEnd = (ms: number, images: number): Record<string, unknown> => ev(ms, 'job_end', { job_id: `j${seq}`, outcome: 'ok', images });

// Two whole hours: the baseline hour, then the current hour.
const base0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const cur0 = base0 + HOUR;
const LIMITS = { maxRangeDays: 40, maxPoints: 10_000, rawRetentionDays: 30, rollup1mRetentionDays: 30 };
const range = (from: number, stepS: number): ResolvedRange =>
  resolveRange({ from: new Date(from).toISOString(), to: new Date(from + HOUR).toISOString(), step_s: stepS }, Date.now(), LIMITS);

describe('cacheMissRatio', () => {
  it('adds disk and remote (download + network) loads over all loads; null without loads', () => {
    expect(cacheMissRatio(8, 1, 3)).toBe(0.5);
    expect(cacheMissRatio(4, 0, 1)).toBe(0.25);
    expect(cacheMissRatio(0, 0, 0)).toBeNull();
  });
});

describe('GET /api/v1/slowdowns cache_miss_ratio against ClickHouse (migration 0027)', () => {
  it('counts disk, download and network loads as misses at raw, 1-minute and 1-hour resolution', async () => {
    const st = await freshDb();
    await migrate(st);
    // Baseline hour: 4 loads (cache, cache, resident, disk) → 1 miss of 4 = 0.25; 60 images.
    // Current hour: 8 loads (disk, download, network, network, cache, resident, cache, '' unknown)
    // → 1 disk + 3 remote = 4 of 8 = 0.5; 30 images (images/min 0.5 vs 1: drop 0.5).
    await st.insert('runtime_events', [
      ...['cache', 'cache', 'resident', 'disk'].map((src, i) => load(base0 + 60_000 * (i + 1), src)),
      jobEnd(base0 + 30 * 60_000, 60),
      ...['disk', 'download', 'network', 'network', 'cache', 'resident', 'cache', ''].map((src, i) => load(cur0 + 60_000 * (i + 1), src)),
      jobEnd(cur0 + 30 * 60_000, 30),
    ]);
    for (const stepS of [10, 60, 3600]) {
      const cur = range(cur0, stepS);
      const base = range(base0, stepS);
      expect(cur.resolution).toBe(stepS === 10 ? 'raw' : stepS === 60 ? '1m' : '1h');
      const [h] = await querySlowdowns(scoped(st, TENANT), cur, base, 10);
      expect(h?.host, `step ${stepS}`).toBe('h1');
      expect(h?.current.cache_miss_ratio, `step ${stepS}`).toBe(0.5);
      expect(h?.baseline.cache_miss_ratio, `step ${stepS}`).toBe(0.25);
      expect(h?.drop_ratio).toBe(0.5);
      // 0.5 > 0.25 × 1.5 + 0.01 = 0.385: a named reason (weight 0.25)
      expect(h?.reasons).toEqual([{ reason: 'model_cache_misses', detail: 'model loads from disk, download or network 50% vs 25% in the baseline' }]);
    }
  });

  it('on a database rolled up before 0027: old rollup rows keep their disk-only count, new rows count every miss; rerun adds no second view', async () => {
    const st = await freshDb();
    const all = await loadMigrations();
    await migrate(
      st,
      all.filter((m) => m.version < 27),
    );
    // Before 0027, in the baseline hour: disk, download, cache, cache → the old views count 1 disk load of 4.
    await st.insert('runtime_events', [
      ...['disk', 'download', 'cache', 'cache'].map((src, i) => load(base0 + 60_000 * (i + 1), src)),
      jobEnd(base0 + 30 * 60_000, 60),
    ]);
    expect((await migrate(st)).applied).toEqual(all.filter((m) => m.version >= 27).map((m) => m.name));
    expect(all.find((m) => m.version === 27)?.name).toBe('0027_cache_miss_remote');
    // Rerun of the same statements (two collectors migrating, or a run stopped before it was recorded).
    const m27 = all.find((m) => m.version === 27);
    if (m27 === undefined) throw new Error('no migration 27');
    await migrate(st, [{ ...m27, version: 9027, name: '0027_rerun' }]);
    // After: the current hour has download, network, cache, cache → 2 of 4 = 0.5.
    await st.insert('runtime_events', [
      ...['download', 'network', 'cache', 'cache'].map((src, i) => load(cur0 + 60_000 * (i + 1), src)),
      jobEnd(cur0 + 30 * 60_000, 60),
    ]);
    const [h1m] = await querySlowdowns(scoped(st, TENANT), range(cur0, 60), range(base0, 60), 10);
    expect(h1m?.baseline.cache_miss_ratio).toBe(0.25);
    expect(h1m?.current.cache_miss_ratio).toBe(0.5);
    // One view per rollup: each load counted once (a second view would double 4 loads to 8 — same ratio, so count them).
    const n = await st.query<{ l: string | number }>(
      raw(`SELECT countIfMerge(model_loads) AS l FROM jobs_host_1h WHERE tenant = '${TENANT}' AND t = toDateTime(${cur0 / 1000}, 'UTC')`),
    );
    expect(Number(n[0]?.l)).toBe(4);
    // Raw rows are not rolled up: every miss counts there, history included (disk + download of 4).
    const [raw1] = await querySlowdowns(scoped(st, TENANT), range(cur0, 10), range(base0, 10), 10);
    expect(raw1?.baseline.cache_miss_ratio).toBe(0.5);
  });
});
