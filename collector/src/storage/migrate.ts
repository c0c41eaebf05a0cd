import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Storage } from './clickhouse.js';
import { createClusterDdl, createDatabaseOnCluster, toClusterMigrations, type ClusterTarget } from './cluster-ddl.js';
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
}

const SCHEMA_MIGRATIONS_DDL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime('UTC')) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version";

export interface MigrateOptions {
  /** Cluster mode: every statement is rewritten by ./cluster-ddl.ts (ON CLUSTER, Replicated + Distributed). */
  cluster?: ClusterTarget;
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

/**
 * Applies pending migrations in order and records them. Idempotent: every statement is
 * `IF NOT EXISTS`-safe (an `ADD COLUMN` whose column exists counts as done), so concurrent
 * collectors starting together converge on the same schema.
 */
export async function migrate(storage: Storage, migrations?: Migration[], opts: MigrateOptions = {}): Promise<MigrateResult> {
  const loaded = migrations ?? (await loadMigrations());
  const all = opts.cluster === undefined ? loaded : toClusterMigrations(loaded, opts.cluster);
  const prelude =
    opts.cluster === undefined
      ? [SCHEMA_MIGRATIONS_DDL]
      : [createDatabaseOnCluster(opts.cluster), ...createClusterDdl(opts.cluster).rewrite(SCHEMA_MIGRATIONS_DDL)];
  for (const stmt of prelude) await storage.command(raw(stmt));
  const done = new Set((await storage.query<{ version: number }>(raw('SELECT DISTINCT version FROM schema_migrations'))).map((r) => Number(r.version)));
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const m of all) {
    if (done.has(m.version)) {
      result.alreadyApplied.push(m.name);
      continue;
    }
    for (const [i, stmt] of m.statements.entries()) {
      if (ADD_COLUMN.test(stmt.trim()) && (await columnExists(storage, stmt))) continue;
      try {
        await storage.command(raw(stmt));
      } catch (err: unknown) {
        // Added by another collector migrating at the same moment: what the statement wanted.
        if (ADD_COLUMN.test(stmt.trim()) && err instanceof Error && /already exists/i.test(err.message)) continue;
        throw new AppError('COL_ERR_MIGRATION_FAILED', `${m.name} statement ${i + 1}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    await storage.command(sql`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (${m.version}, ${m.name}, ${m.checksum}, now())`);
    result.applied.push(m.name);
  }
  return result;
}
