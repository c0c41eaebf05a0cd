import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Storage } from './clickhouse.js';
import { isClickHouseError } from './clickhouse-errors.js';
import { createClusterDdl, createDatabaseOnCluster, toClusterMigrations, type ClusterTarget } from './cluster-ddl.js';
import { findSuperseded, loadRepair } from './migration-repairs.js';
import { detectServerDdl, type ServerDdl } from './server-ddl.js';
import { raw, sql } from './sql.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a migration file into statements: `;` at the end of a line ends one; `--` lines are comments. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('--') || trimmed === '') continue;
    cur.push(line);
    if (trimmed.endsWith(';')) {
      out.push(cur.join('\n').trim().replace(/;$/, ''));
      cur = [];
    }
  }
  if (cur.join('').trim() !== '') out.push(cur.join('\n').trim());
  return out;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    out.push({
      version: Number(f.slice(0, 4)),
      name: f.replace(/\.sql$/, ''),
      checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      statements: splitStatements(text),
    });
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** applied migrations that ran an edited-since version, brought to today's by their repair (./migration-repairs.ts) */
  repaired: string[];
}

const SCHEMA_MIGRATIONS_DDL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime('UTC')) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version";

export interface MigrateOptions {
  /** Cluster mode: every statement is rewritten by ./cluster-ddl.ts (ON CLUSTER, Replicated + Distributed). */
  cluster?: ClusterTarget;
  /** Where the repairs of superseded migrations are (`<dir>/repairs/`); default the shipped migrations. */
  dir?: string;
}

/** `ALTER TABLE [db.]t [ON CLUSTER c] ADD COLUMN name ...`: table and column. */
const ADD_COLUMN = /^ALTER\s+TABLE\s+(?:\w+\.)?(\w+)(?:\s+ON\s+CLUSTER\s+\S+)?\s+ADD\s+COLUMN\s+(\w+)/i;

/** Whether an `ADD COLUMN` statement's column is there already (18.16 has no ADD COLUMN IF NOT EXISTS). */
async function columnExists(storage: Storage, stmt: string): Promise<boolean> {
  const m = ADD_COLUMN.exec(stmt.trim());
  if (m?.[1] === undefined || m[2] === undefined) return false;
  const rows = await storage.query<{ c: number | string }>(
    sql`SELECT count() AS c FROM system.columns WHERE database = currentDatabase() AND table = ${m[1]} AND name = ${m[2]}`,
  );
  return Number(rows[0]?.c ?? 0) > 0;
}

async function applyStatements(storage: Storage, m: Migration, ddl: ServerDdl): Promise<void> {
  for (const [i, stmt] of m.statements.entries()) {
    if (ADD_COLUMN.test(stmt.trim()) && (await columnExists(storage, stmt))) continue;
    try {
      await storage.command(raw(ddl.adapt(stmt)), ddl.settings);
    } catch (err: unknown) {
      // Added by another collector migrating at the same moment: what the statement wanted.
      if (ADD_COLUMN.test(stmt.trim()) && isClickHouseError(err, 'ILLEGAL_COLUMN', 'DUPLICATE_COLUMN')) continue;
      throw new AppError('COL_ERR_MIGRATION_FAILED', `${m.name} statement ${i + 1}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

async function record(storage: Storage, m: Migration): Promise<void> {
  await storage.command(sql`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (${m.version}, ${m.name}, ${m.checksum}, now())`);
}

/**
 * The checksums each applied version was recorded with, compared with the files: a version whose
 * recorded checksums include the file's is fine; one recorded by a known superseded version gets its
 * repair; anything else is a migration edited after it shipped, and the collector refuses to start.
 */
async function checkApplied(storage: Storage, loaded: Migration[], dir: string): Promise<{ done: Set<number>; repairs: Migration[] }> {
  const rows = await storage.query<{ version: number | string; checksums: string[] }>(
    raw('SELECT version, groupUniqArray(checksum) AS checksums FROM schema_migrations GROUP BY version'),
  );
  const recorded = new Map(rows.map((r) => [Number(r.version), r.checksums]));
  const repairs: Migration[] = [];
  for (const m of loaded) {
    const sums = recorded.get(m.version);
    if (sums === undefined || sums.includes(m.checksum)) continue;
    const old = sums.map((c) => findSuperseded(m.name, c)).find((x) => x !== undefined);
    if (old === undefined) {
      throw new AppError(
        'COL_ERR_MIGRATION_EDITED',
        `migration ${m.name} was applied to this database with checksum ${sums.join(', ')}, but ${m.name}.sql now has checksum ${m.checksum}: ` +
          `the file was changed after it shipped. Restore ${m.name}.sql as it shipped (git log -p -- collector/src/storage/migrations/${m.name}.sql) ` +
          'and put the change in a new migration (CONTRIBUTING.md, "Add a migration")',
      );
    }
    repairs.push(await loadRepair(dir, old, splitStatements));
  }
  return { done: new Set(recorded.keys()), repairs };
}

/**
 * Checks the applied migrations against the files (checkApplied), repairs databases that ran a
 * superseded version, then applies pending migrations in order and records them. Statements are
 * `IF NOT EXISTS`-safe (an `ADD COLUMN` whose column exists counts as done), so concurrent
 * collectors starting together converge on the same schema; migrate.test.ts and
 * collector/test/migrate-upgrade.int.test.ts run it twice and compare.
 */
export async function migrate(storage: Storage, migrations?: Migration[], opts: MigrateOptions = {}): Promise<MigrateResult> {
  const loaded = migrations ?? (await loadMigrations());
  const cluster = (ms: Migration[]): Migration[] => (opts.cluster === undefined ? ms : toClusterMigrations(ms, opts.cluster));
  const prelude =
    opts.cluster === undefined
      ? [SCHEMA_MIGRATIONS_DDL]
      : [createDatabaseOnCluster(opts.cluster), ...createClusterDdl(opts.cluster).rewrite(SCHEMA_MIGRATIONS_DDL)];
  for (const stmt of prelude) await storage.command(raw(stmt));
  // a newer server may need a statement said differently (./server-ddl.ts); the checksums stay the files'
  const ddl = await detectServerDdl(storage);
  const { done, repairs } = await checkApplied(storage, loaded, opts.dir ?? MIGRATIONS_DIR);
  const result: MigrateResult = { applied: [], alreadyApplied: [], repaired: [] };
  for (const r of cluster(repairs)) {
    await applyStatements(storage, r, ddl);
    const today = loaded.find((m) => m.version === r.version);
    if (today !== undefined) await record(storage, today);
    result.repaired.push(r.name);
  }
  for (const m of cluster(loaded)) {
    if (done.has(m.version)) {
      result.alreadyApplied.push(m.name);
      continue;
    }
    await applyStatements(storage, m, ddl);
    await record(storage, m);
    result.applied.push(m.name);
  }
  return result;
}
