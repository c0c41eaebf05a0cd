// Upgrades from the schemas earlier collectors created (collector/test/fixtures/schema-history/<commit>:
// the migration files as they were at that commit, see its README.md), to today's, against a real
// ClickHouse: the upgraded database has today's tables and columns, the data stored before the upgrade
// is still counted by /api/v1/cost and /api/v1/ooms, and every GET route of the API answers. Also: a
// database whose applied migration differs from the file refuses to start, naming the migration.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { parseCollectorConfig, type CollectorConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { splitTs } from '../src/domain/time.js';
import { createStorage, ensureDatabase, type Storage } from '../src/storage/clickhouse.js';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '../src/storage/migrate.js';
import { SUPERSEDED_MIGRATIONS } from '../src/storage/migration-repairs.js';
import { raw } from '../src/storage/sql.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const HISTORY = join(HERE, 'fixtures', 'schema-history');
const HOUR = 3600_000;
const KEY = 'admin-key-of-the-upgrade-test';
const TENANT = 'tenant-u';
const dbs: string[] = [];
const running: RunningCollector[] = [];

function config(db: string): CollectorConfig {
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: inject('clickhouseUrl'),
    COLLECTOR_CLICKHOUSE_DATABASE: db,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: KEY,
    COLLECTOR_API_ADMIN_TENANT: TENANT,
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_SLO_EVAL_INTERVAL_S: '0',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  return cfg.config;
}

async function freshDb(tag: string): Promise<{ db: string; storage: Storage }> {
  const db = `rw_upgrade_${tag}_${randomBytes(3).toString('hex')}`;
  dbs.push(db);
  const o = { url: inject('clickhouseUrl'), database: db, username: 'default', password: '' };
  await ensureDatabase(o);
  return { db, storage: createStorage(o) };
}

/** Tables with their engines and columns with their types: what "the same schema" means here. */
async function schemaOf(storage: Storage): Promise<string[]> {
  const tables = await storage.query<{ name: string; engine: string }>(
    raw("SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name != 'schema_migrations' ORDER BY name"),
  );
  const cols = await storage.query<{ table: string; name: string; type: string }>(
    raw("SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND table != 'schema_migrations' ORDER BY table, name"),
  );
  return [...tables.map((t) => `${t.name} ${t.engine}`), ...cols.map((c) => `${c.table}.${c.name} ${c.type}`)];
}

const base = { tenant: TENANT, host: 'u-1', agent_id: 'u-1-agent', batch_seq: 1 };
const sample = (ms: number, extra: Record<string, unknown>): Record<string, unknown> => ({
  ...base,
  ...splitTs(ms),
  gpu_index: 0,
  gpu_uuid: 'u-1-gpu0',
  gpu_name: 'NVIDIA L40S',
  mig_enabled: 0,
  process_pids: [],
  process_names: [],
  process_runtimes: [],
  process_mem_bytes: [],
  ...extra,
});
const jobEnd = (ms: number, seq: number, outcome: string): Record<string, unknown> => ({
  ...base,
  ...splitTs(ms),
  seq,
  runtime: 'comfyui',
  kind: 'job_end',
  job_id: `j${seq}`,
  outcome,
  model: 'sdxl-base',
  width: 1024,
  height: 1024,
  batch: 2,
  images: outcome === 'ok' ? 2 : 0,
  gpu_index: 0,
  extensions: [],
});

async function get(c: RunningCollector, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every GET route the collector documents in /openapi.json, with path parameters filled in. */
async function everyGetRoute(c: RunningCollector, from: number, to: number): Promise<Array<{ path: string; status: number; code: unknown }>> {
  const spec = (await get(c, '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const out: Array<{ path: string; status: number; code: unknown }> = [];
  const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  for (const [p, methods] of Object.entries(spec.paths)) {
    if (!('get' in methods)) continue;
    const path = p.replace('{host}', 'u-1').replace('{name}', 'image-success').replace('{fingerprint}', '0123456789abcdef');
    let r = await get(c, `${path}?${range}`);
    if (r.status === 400) r = await get(c, path); // a route without a time range
    out.push({ path: p, status: r.status, code: r.body['code'] });
  }
  return out;
}

// The data of one upgrade, placed around the migration that built the history: 30 minutes sampled
// every 10 s three hours ago before 0012 (0.5 GPU-hours, 179 x 100 J), then 60 samples of 15 s and
// +50 J each two hours ago with what 0012 added (0.25 GPU-hours, 3000 J); a job ending ok and one OOM.
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const before = Array.from({ length: 180 }, (_, i) => sample(H0 + i * 10_000, { energy_joules: 1e6 + i * 100 }));
const after = Array.from({ length: 60 }, (_, i) =>
  sample(H0 + HOUR + i * 15_000, { energy_joules: 2e6 + i * 50, interval_ms: 15_000, energy_delta_joules: 50 }),
);

/**
 * The migrations as they were at `commit`: the files its migrations.txt lists, each from the commit's
 * directory where it differed from today's file (an edited migration), else today's file (never edited
 * after it shipped: the start-up checksum check holds that).
 */
async function historyMigrations(commit: string): ReturnType<typeof loadMigrations> {
  const names = (await readFile(join(HISTORY, commit, 'migrations.txt'), 'utf8')).split('\n').filter((n) => n !== '');
  const dir = await mkdtemp(join(tmpdir(), `rw-history-${commit}-`));
  try {
    for (const n of names) await cp(existsSync(join(HISTORY, commit, n)) ? join(HISTORY, commit, n) : join(MIGRATIONS_DIR, n), join(dir, n));
    const ms = await loadMigrations(dir);
    expect(ms.length).toBe(names.length);
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function upgradeFrom(commit: string): Promise<{ storage: Storage; collector: RunningCollector; db: string; repaired: string[] }> {
  const old = await historyMigrations(commit);
  const { db, storage } = await freshDb(commit);
  await migrate(
    storage,
    old.filter((m) => m.version < 12),
  );
  await storage.insert('gpu_samples', before);
  await storage.insert('runtime_events', [jobEnd(H0 + 60_000, 1, 'ok')]);
  await migrate(storage, old);
  // Samples of 0012's columns only where the schema has them.
  const has12 = old.some((m) => m.version === 12);
  await storage.insert('gpu_samples', has12 ? after : after.map(({ interval_ms: _i, energy_delta_joules: _e, ...r }) => r));
  await storage.insert('runtime_events', [jobEnd(H0 + HOUR + 60_000, 2, 'oom')]);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  const collector = await startCollector(config(db), log);
  running.push(collector);
  const done = lines.map((l) => JSON.parse(l) as { msg: string; repaired?: string[] }).find((l) => l.msg === 'migrations done');
  return { storage, collector, db, repaired: done?.repaired ?? [] };
}

let today: string[];

beforeAll(async () => {
  const { storage } = await freshDb('today');
  await migrate(storage);
  today = await schemaOf(storage);
  // Migrating again changes nothing: every migration is already applied and the schema is the same.
  const again = await migrate(storage);
  expect(again.applied).toEqual([]);
  expect(again.repaired).toEqual([]);
  expect(await schemaOf(storage)).toEqual(today);
  await storage.close();
});

afterAll(async () => {
  for (const c of running) await c.stop();
  const admin = createStorage({ url: inject('clickhouseUrl'), database: 'default', username: 'default', password: '' });
  for (const db of dbs) await admin.command(raw(`DROP DATABASE IF EXISTS ${db}`));
  await admin.close();
});

describe('upgrade from an earlier schema', () => {
  // 654216e: the first schema (0001 only). 295f637: 0007 as first shipped. 909e05b: 0012 as first
  // shipped. 8796c5e: 0012 after its first edit. c50ef93: 0028 as first shipped. Each to today's, repairs included.
  const cases: Array<{ commit: string; repaired: string[] }> = [
    { commit: '654216e', repaired: [] },
    { commit: '295f637', repaired: ['0007_oom_context (repair of 1543467d1f95b4a1)'] },
    { commit: '909e05b', repaired: ['0012_gpu_cost (repair of 432ecd2367afccd1)'] },
    { commit: '8796c5e', repaired: ['0012_gpu_cost (repair of b55da37dedb90f1c)'] },
    // 0028 as first shipped: seconds per image in a MATERIALIZED runtime_events column (cluster inserts refused it)
    { commit: 'c50ef93', repaired: ['0028_seconds_per_image (repair of c2ba2c5c071d136d)'] },
  ];
  for (const { commit, repaired } of cases) {
    it(`from ${commit}: today's schema, the earlier data counted, every GET route answers`, async () => {
      const { storage, collector, db, repaired: logged } = await upgradeFrom(commit);
      expect(logged).toEqual(repaired);
      expect(await schemaOf(storage)).toEqual(today);
      // Today's checksum recorded for every migration.
      const sums = await storage.query<{ version: number; checksums: string[] }>(
        raw('SELECT version, groupUniqArray(checksum) AS checksums FROM schema_migrations GROUP BY version ORDER BY version'),
      );
      for (const m of await loadMigrations()) expect(sums.find((s) => Number(s.version) === m.version)?.checksums, m.name).toContain(m.checksum);
      // A second start has nothing left to repair or apply.
      const second = await migrate(createStorage({ url: inject('clickhouseUrl'), database: db, username: 'default', password: '' }));
      expect([second.applied, second.repaired]).toEqual([[], []]);

      const range = `from=${new Date(H0).toISOString()}&to=${new Date(H0 + 3 * HOUR).toISOString()}`;
      const cost = await get(collector, `/api/v1/cost?${range}`);
      expect(cost.status, JSON.stringify(cost.body)).toBe(200);
      const model = (cost.body['gpu_models'] as Array<Record<string, number>>)[0];
      if (commit === '654216e') {
        // The first schema had no rollups, and 0002 creates them without a backfill: what was stored
        // before 0002 stays in the raw tables, which /cost does not read (as an upgrade always did).
        expect(model).toBeUndefined();
      } else {
        // Before 0012 existed (295f637) the later samples carried no interval_ms or energy delta, so
        // 0012's backfill counts that hour from the rollups: 15 minutes with samples, the counter's rise.
        const energy = commit === '295f637' ? 179 * 100 + 59 * 50 : 179 * 100 + 60 * 50;
        expect(model?.['gpu_hours']).toBe(0.75);
        expect(model?.['energy_kwh']).toBeCloseTo(energy / 3.6e6, 12);
        expect([model?.['jobs'], model?.['images']]).toEqual([2, 2]);
      }
      const ooms = await get(collector, `/api/v1/ooms?${range}`);
      expect(ooms.status).toBe(200);
      expect(ooms.body['by_model']).toEqual([{ key: 'sdxl-base', count: 1 }]);

      const routes = await everyGetRoute(collector, H0, H0 + 3 * HOUR);
      expect(routes.length).toBeGreaterThanOrEqual(18);
      for (const r of routes) {
        if (r.path.includes('{')) expect([200, 404], JSON.stringify(r)).toContain(r.status);
        else expect(r.status, JSON.stringify(r)).toBe(200);
      }
    });
  }

  it('knows a repair file for every superseded version it accepts', async () => {
    for (const s of SUPERSEDED_MIGRATIONS) {
      const text = await readFile(join(MIGRATIONS_DIR, 'repairs', `${s.name}.${s.checksum}.sql`), 'utf8');
      expect(text, s.name).toContain(s.checksum);
    }
  });
});

describe('an applied migration that was changed', () => {
  it('refuses to start, naming the migration and what to do', async () => {
    const { db, storage } = await freshDb('edited');
    // As if 0013 had been edited after this database ran it: the database recorded another checksum.
    await migrate(
      storage,
      (await loadMigrations()).map((m) => (m.version === 13 ? { ...m, checksum: '0123456789abcdef' } : m)),
    );
    const err = await startCollector(config(db), pino({ level: 'silent' })).then(
      (c) => {
        running.push(c);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('COL_ERR_MIGRATION_EDITED');
    expect((err as AppError).message).toMatch(
      /^an applied schema migration was changed after it shipped: migration 0013_model_hashes was applied .* checksum 0123456789abcdef/,
    );
    expect((err as AppError).message).toContain('put the change in a new migration');
    await storage.close();
  });

  it('refuses an edited file on a database that ran the file as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rw-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const { storage } = await freshDb('file');
      await migrate(storage, await loadMigrations(dir));
      const f = join(dir, '0003_api_keys.sql');
      await writeFile(f, `${await readFile(f, 'utf8')}\n-- a comment added after it shipped\n`);
      const edited = await loadMigrations(dir);
      await expect(migrate(storage, edited, { dir })).rejects.toThrow(
        /migration 0003_api_keys was applied .* now has checksum [0-9a-f]{16}: the file was changed/,
      );
      await storage.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
