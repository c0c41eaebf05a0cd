// Seconds per image on GET /api/v1/jobs/stats (queries/jobs.ts, migration 0028), hand-worked: each
// ok job's duration_s ÷ images, failed jobs and jobs without an image left out; the same answer from
// raw events and from every per-image rollup the query reads; null for minutes rolled up before 0028.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { splitTs } from '../../domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../clickhouse.js';
import { loadMigrations, migrate } from '../migrate.js';
import { resolveRange } from '../resolution.js';
import { scoped } from '../scope.js';
import { raw, sql } from '../sql.js';
import { queryJobStats } from './jobs.js';

const TENANT = 'tenant-per-image';
const limits = { maxRangeDays: 31, maxPoints: 100_000, rawRetentionDays: 7, rollup1mRetentionDays: 30 };
const dbs: string[] = [];
const stores: Storage[] = [];
const at = Math.floor(Date.now() / 3600_000) * 3600_000 - 2 * 3600_000;

type Job = { id: string; model: string; outcome: string; duration_s: number; images: number; batch: number };

/**
 * flux, ok with images: 10 s for 2 images (batch 1, run twice) → 5 s/image; 30 s for 3 (batch 3) →
 * 10; 24 s for 4 (batch 2, twice) → 6. None of the others says how long an image takes: an error
 * after 4 s, two interrupted jobs (90 s with 1 image saved, 60 s with 2) and two ok jobs that saved
 * none (preview-only workflows, 50 s and 40 s). sdxl: 12 s for 4 images → 3 s/image.
 * Odd counts throughout: t-digest's median of an even count differs between ClickHouse versions
 * (18.16 interpolates between the middle two, a current one takes the lower).
 */
const JOBS: Job[] = [
  { id: 'f1', model: 'flux', outcome: 'ok', duration_s: 10, images: 2, batch: 1 },
  { id: 'f2', model: 'flux', outcome: 'ok', duration_s: 30, images: 3, batch: 3 },
  { id: 'f3', model: 'flux', outcome: 'ok', duration_s: 24, images: 4, batch: 2 },
  { id: 'f4', model: 'flux', outcome: 'error', duration_s: 4, images: 0, batch: 2 },
  { id: 'f5', model: 'flux', outcome: 'interrupted', duration_s: 90, images: 1, batch: 2 },
  { id: 'f6', model: 'flux', outcome: 'interrupted', duration_s: 60, images: 2, batch: 4 },
  { id: 'f7', model: 'flux', outcome: 'ok', duration_s: 50, images: 0, batch: 1 },
  { id: 'f8', model: 'flux', outcome: 'ok', duration_s: 40, images: 0, batch: 1 },
  { id: 's1', model: 'sdxl', outcome: 'ok', duration_s: 12, images: 4, batch: 4 },
];

const row = (j: Job, n: number) => ({
  tenant: TENANT,
  host: 'h1',
  agent_id: 'h1-agent',
  ...splitTs(at + 60_000 + n * 1000),
  batch_seq: 1,
  seq: n,
  runtime: 'comfyui',
  kind: 'job_end',
  job_id: j.id,
  outcome: j.outcome,
  model: j.model,
  images: j.images,
  batch: j.batch,
  duration_s: j.duration_s,
  gpu_index: 0,
  extensions: [],
});

async function freshDb(): Promise<Storage> {
  const o = { url: inject('clickhouseUrl'), database: `rw_per_image_${randomBytes(4).toString('hex')}`, username: 'default', password: '' };
  await ensureDatabase(o);
  dbs.push(o.database);
  const st = createStorage(o);
  stores.push(st);
  return st;
}

const range = (stepS: number) =>
  resolveRange({ from: new Date(at - 3600_000).toISOString(), to: new Date(at + 3600_000).toISOString(), step_s: stepS }, Date.now(), limits);

/** What each resolution is asked: raw events, the per-GPU rollups (with a host) and the model rollups (without). */
const CASES = [
  { step_s: 10, host: 'h1', res: 'raw' },
  { step_s: 10, host: undefined, res: 'raw' },
  { step_s: 60, host: 'h1', res: '1m' },
  { step_s: 3600, host: 'h1', res: '1h' },
  { step_s: 60, host: undefined, res: '1m' },
  { step_s: 3600, host: undefined, res: '1h' },
] as const;

const perImage = (rows: Awaited<ReturnType<typeof queryJobStats>>) =>
  rows.map((r) => [r.model, r.seconds_per_image_p50_s, r.seconds_per_image_p90_s, r.seconds_per_image_p99_s]);

let st: Storage;

beforeAll(async () => {
  st = await freshDb();
  await migrate(st);
  await st.insert(
    'runtime_events',
    JOBS.map((j, n) => row(j, n)),
  );
});

afterAll(async () => {
  for (const s of stores) await s.close();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  for (const db of dbs) await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

describe('seconds per image on /api/v1/jobs/stats (raw and every job rollup)', () => {
  it('has a per-image rollup beside each job rollup the query reads', async () => {
    const db = (await st.query<{ d: string }>(raw('SELECT currentDatabase() AS d')))[0]?.d ?? '';
    const tables = await st.query<{ table: string }>(
      sql`SELECT table FROM system.columns WHERE database = ${db} AND name = 'seconds_per_image_q'
        AND table IN (SELECT name FROM system.tables WHERE database = ${db} AND engine LIKE '%MergeTree') GROUP BY table ORDER BY table`,
    );
    expect(tables.map((t) => t.table)).toEqual(['jobs_model_per_image_1h', 'jobs_model_per_image_1m', 'jobs_per_image_1h', 'jobs_per_image_1m']);
  });

  for (const c of CASES) {
    it(`at ${c.res} ${c.host === undefined ? 'fleet-wide' : 'for a host'}: flux p50 6 s/image over 5, 6 and 10, sdxl 3`, async () => {
      const r = range(c.step_s);
      expect(r.resolution).toBe(c.res);
      const rows = await queryJobStats(scoped(st, TENANT), r, { host: c.host });
      // the middle of 5, 6, 10 is 6; p90 and p99 the top one. Counting the interrupted jobs would give
      // 5, 6, 10, 30, 90 → 10; the ok jobs without an image (÷ 1) 5, 6, 10, 40, 50 → 10; per batch
      // instead of per image 10, 10, 12 → 10.
      expect(perImage(rows)).toEqual([
        ['flux', 6, 10, 10],
        ['sdxl', 3, 3, 3],
      ]);
      // the job counts still count every job
      expect(rows.map((x) => [x.model, x.jobs, x.ok, x.images, x.interrupted])).toEqual([
        ['flux', 8, 5, 12, 2],
        ['sdxl', 1, 1, 4, 0],
      ]);
    });
  }

  it('is null for a model without an ok job that saved an image', async () => {
    const rows = await queryJobStats(scoped(st, TENANT), range(60), { host: 'h1', model: 'flux' });
    expect(perImage(rows)).toEqual([['flux', 6, 10, 10]]);
    await st.insert('runtime_events', [row({ id: 'w1', model: 'wan', outcome: 'error', duration_s: 7, images: 0, batch: 1 }, 100)]);
    for (const c of CASES) {
      const wan = await queryJobStats(scoped(st, TENANT), range(c.step_s), { host: c.host, model: 'wan' });
      expect({ res: c.res, rows: perImage(wan) }).toEqual({ res: c.res, rows: [['wan', null, null, null]] });
    }
  });
});

describe('rows rolled up before migration 0028', () => {
  it('answer null per image from the rollups (raw events still have it); jobs after it count alone in the same minute and hour', async () => {
    const old = await freshDb();
    const all = await loadMigrations();
    await migrate(
      old,
      all.filter((m) => m.version < 28),
    );
    await old.insert(
      'runtime_events',
      JOBS.filter((j) => j.model === 'flux').map((j, n) => row(j, n)),
    );
    expect((await migrate(old)).applied).toContain('0028_seconds_per_image');
    const ask = async (stepS: number, host?: string) => perImage(await queryJobStats(scoped(old, TENANT), range(stepS), { host }));
    for (const [stepS, host] of [
      [3600, 'h1'],
      [60, 'h1'],
      [3600, undefined],
      [60, undefined],
    ] as const) {
      expect({ stepS, host, rows: await ask(stepS, host) }).toEqual({ stepS, host, rows: [['flux', null, null, null]] });
    }
    expect(await ask(10, 'h1')).toEqual([['flux', 6, 10, 10]]);
    // 24 s for 2 images after the migration, in the same hour and minute: the rollups see only it
    await old.insert('runtime_events', [row({ id: 'f9', model: 'flux', outcome: 'ok', duration_s: 24, images: 2, batch: 2 }, 10)]);
    for (const [stepS, host] of [
      [3600, 'h1'],
      [60, 'h1'],
      [3600, undefined],
      [60, undefined],
    ] as const) {
      expect({ stepS, host, rows: await ask(stepS, host) }).toEqual({ stepS, host, rows: [['flux', 12, 12, 12]] });
    }
  });
});
