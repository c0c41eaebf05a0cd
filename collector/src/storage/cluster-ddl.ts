// Cluster mode from the one migration source: rewrites each single-node statement for a
// replicated, sharded ClickHouse cluster. Pure (text in, text out), so every migration file is
// unit-tested through it. docs/cluster.md explains the choices; in short:
// - `CREATE TABLE t ... ENGINE = XMergeTree(args)` becomes `t_local ON CLUSTER c` with
//   `ReplicatedXMergeTree('/clickhouse/tables/<c>/{shard}/<db>/t_local', '{replica}', args)` plus
//   `t ON CLUSTER c AS t_local ENGINE = Distributed(c, <db>, t_local, <sharding key>)`. The rest
//   of the collector keeps inserting into and reading from `t`.
// - Sharding key: cityHash64(tenant, host) when the sort key holds both (one host's rows on one
//   shard: per-host queries hit one shard, per-shard rollups stay whole, Replacing collapses a
//   re-delivered row on the shard that holds the first copy); otherwise cityHash64(sort key), so
//   rows with one Replacing identity still meet on one shard.
// - Materialized views are created on every node reading `t_local` and writing the rollup's
//   `_local` table: rollups are computed per shard from the rows that shard stores.
// - EVERYWHERE_TABLES (schema_migrations) are not sharded: one replication group spans every
//   node, so each collector reads them on the node it talks to.
import { AppError } from '../errors.js';
import type { Migration } from './migrate.js';

export interface ClusterTarget {
  /** Cluster name in <remote_servers>. */
  cluster: string;
  /** Database every table lives in (qualified explicitly: distributed DDL runs outside the session). */
  database: string;
}

export const LOCAL_SUFFIX = '_local';
/** Replicated to every node rather than sharded. */
export const EVERYWHERE_TABLES: ReadonlySet<string> = new Set(['schema_migrations']);

/**
 * ClickHouse settings every collector session uses in cluster mode (StorageOptions.settings):
 * - insert_distributed_sync: an insert returns once every shard's replica holds its rows, so an
 *   ack means stored (not queued on the node the collector talks to) and the dedup ledger is
 *   readable by every collector at once.
 * - load_balancing=in_order: a shard is read and written on its first live replica (or on the
 *   replica the session's node is, when it is one: a node always writes its own shard locally and,
 *   with the default prefer_localhost_replica=1, reads it locally too, so every session reads its
 *   own writes). Collectors pointed at the first replica of each shard therefore all read and write
 *   the same replica of every shard: the dedup ledger and the lease/alert rows are read-your-writes
 *   across collectors, and after a failover they all move to the same next replica.
 * - distributed_product_mode=global: `IN (SELECT ... FROM <distributed>)` inside a distributed
 *   query is evaluated once and shipped (GLOBAL IN), same answers as single node.
 * - insert_deduplicate=0: Replicated tables would silently drop a block identical to a recent one;
 *   two genuinely distinct batches of an idle GPU can yield byte-identical rollup blocks. Dedup is
 *   the ledger's and the Replacing engines' job, exactly as on a single node.
 */
export const CLUSTER_SESSION_SETTINGS: Readonly<Record<string, string | number>> = Object.freeze({
  insert_distributed_sync: 1,
  load_balancing: 'in_order',
  distributed_product_mode: 'global',
  insert_deduplicate: 0,
});

const local = (t: string): string => `${t}${LOCAL_SUFFIX}`;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MERGE_TREE = /^(Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing|Graphite)?MergeTree$/;

/** Index just past the parenthesis that closes the one at `open` (quotes respected). */
function closeParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") {
      i++;
      while (i < s.length && s[i] !== "'") i += s[i] === '\\' ? 2 : 1;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced parentheses');
}

/** Splits on commas at depth 0. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") {
      i++;
      while (i < s.length && s[i] !== "'") i += s[i] === '\\' ? 2 : 1;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '') out.push(last);
  return out;
}

/** The ORDER BY expressions of a MergeTree `rest` clause (after ENGINE = ...). */
export function sortKey(rest: string): string[] {
  const m = /\bORDER\s+BY\s+/i.exec(rest);
  if (m === null) return [];
  const at = m.index + m[0].length;
  if (rest[at] === '(') return splitTop(rest.slice(at + 1, closeParen(rest, at) - 1));
  const single = /^[^\s]+/.exec(rest.slice(at));
  return single === null ? [] : [single[0]];
}

/** cityHash64(tenant, host) when the sort key has both; cityHash64(sort key) otherwise. */
export function shardingKey(key: readonly string[]): string {
  if (key.includes('tenant') && key.includes('host')) return 'cityHash64(tenant, host)';
  if (key.length === 0 || (key.length === 1 && /^tuple\(\s*\)$/.test(key[0] ?? ''))) return 'rand()';
  return `cityHash64(${key.join(', ')})`;
}

interface CreateTable {
  ifNotExists: string;
  name: string;
  columns: string;
  engine: string;
  engineArgs: string;
  rest: string;
}

function parseCreateTable(stmt: string): CreateTable | undefined {
  const head = /^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*\(/i.exec(stmt);
  if (head === null) return undefined;
  const open = head[0].length - 1;
  const close = closeParen(stmt, open);
  const tail = stmt.slice(close);
  const eng = /^\s*ENGINE\s*=\s*([A-Za-z]+)\s*/i.exec(tail);
  if (eng === null) throw new Error('CREATE TABLE without ENGINE');
  let after = eng[0].length;
  let engineArgs = '';
  if (tail[after] === '(') {
    const end = closeParen(tail, after);
    engineArgs = tail.slice(after + 1, end - 1).trim();
    after = end;
  }
  return {
    ifNotExists: head[1] === undefined ? '' : 'IF NOT EXISTS ',
    name: head[2] ?? '',
    columns: stmt.slice(open, close),
    engine: eng[1] ?? '',
    engineArgs,
    rest: tail.slice(after).trim(),
  };
}

/** Rewrites `FROM t` / `JOIN t` for the given tables to `db.<map(t)>`. */
function requalify(select: string, tables: ReadonlySet<string>, db: string, map: (t: string) => string): string {
  return select.replace(/\b(FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/gi, (whole, kw: string, t: string) =>
    tables.has(t) ? `${kw} ${db}.${map(t)}` : whole,
  );
}

/** Transformer state: which tables are sharded (known from every migration, applied or not). */
export interface ClusterDdl {
  /** The statements for cluster mode replacing one single-node statement. */
  rewrite(stmt: string): string[];
}

export function createClusterDdl(target: ClusterTarget, shardedTables: ReadonlySet<string> = new Set()): ClusterDdl {
  if (!IDENT.test(target.cluster) || !IDENT.test(target.database)) {
    throw new AppError('COL_ERR_CONFIG_INVALID', 'cluster and database must be ClickHouse identifiers');
  }
  const { cluster: c, database: db } = target;
  const sharded = new Set(shardedTables);
  /** The CREATE of each sharded table's Distributed table, to build it again after a column change. */
  const distributed = new Map<string, string>();

  function createTable(t: CreateTable): string[] {
    if (t.name.includes('.')) throw new Error(`table ${t.name}: migrations name tables without a database`);
    if (!MERGE_TREE.test(t.engine)) throw new Error(`table ${t.name}: engine ${t.engine} has no replicated form`);
    const args = t.engineArgs === '' ? '' : `, ${t.engineArgs}`;
    const rest = t.rest === '' ? '' : `\n${t.rest}`;
    if (EVERYWHERE_TABLES.has(t.name)) {
      const path = `'/clickhouse/tables/${c}/all/${db}/${t.name}', '{shard}-{replica}'`;
      return [`CREATE TABLE ${t.ifNotExists}${db}.${t.name} ON CLUSTER ${c} ${t.columns} ENGINE = Replicated${t.engine}(${path}${args})${rest}`];
    }
    sharded.add(t.name);
    const path = `'/clickhouse/tables/${c}/{shard}/${db}/${local(t.name)}', '{replica}'`;
    const dist = `CREATE TABLE ${t.ifNotExists}${db}.${t.name} ON CLUSTER ${c} AS ${db}.${local(t.name)} ENGINE = Distributed(${c}, ${db}, ${local(t.name)}, ${shardingKey(sortKey(t.rest))})`;
    distributed.set(t.name, dist);
    return [`CREATE TABLE ${t.ifNotExists}${db}.${local(t.name)} ON CLUSTER ${c} ${t.columns} ENGINE = Replicated${t.engine}(${path}${args})${rest}`, dist];
  }

  function createView(stmt: string): string[] | undefined {
    const mv = /^CREATE\s+MATERIALIZED\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+TO\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+([\s\S]*)$/i.exec(stmt);
    if (mv !== null) {
      const [, ine = '', name = '', to = '', select = ''] = mv;
      if (!sharded.has(to)) throw new Error(`materialized view ${name}: target ${to} is not a sharded table created earlier`);
      const body = requalify(select, sharded, db, local);
      return [`CREATE MATERIALIZED VIEW ${ine === '' ? '' : 'IF NOT EXISTS '}${db}.${name} ON CLUSTER ${c} TO ${db}.${local(to)} AS ${body}`];
    }
    if (/^CREATE\s+MATERIALIZED\s+VIEW/i.test(stmt))
      throw new Error('materialized views need `TO <table>` in cluster mode (an inner engine has no replicated, sharded form)');
    const v = /^CREATE\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+([\s\S]*)$/i.exec(stmt);
    if (v === null) return undefined;
    const [, ine = '', name = '', select = ''] = v;
    const known = new Set([...sharded, ...EVERYWHERE_TABLES]);
    return [`CREATE VIEW ${ine === '' ? '' : 'IF NOT EXISTS '}${db}.${name} ON CLUSTER ${c} AS ${requalify(select, known, db, (t) => t)}`];
  }

  function alterOrDrop(stmt: string): string[] | undefined {
    const alter = /^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+([\s\S]+)$/i.exec(stmt);
    if (alter !== null) {
      const [, name = '', body = ''] = alter;
      if (!sharded.has(name)) return [`ALTER TABLE ${db}.${name} ON CLUSTER ${c} ${body}`];
      const out = [`ALTER TABLE ${db}.${local(name)} ON CLUSTER ${c} ${body}`];
      // Data changes (DELETE, partitions) only touch shards. A column change also reshapes the
      // Distributed table, which ClickHouse will not ALTER ON CLUSTER ("isn't replicated, but shard
      // is replicated"): it is built again from the changed local table (holding no data, it loses none).
      if (/^(ADD|DROP|MODIFY|RENAME)\s+COLUMN\b/i.test(body.trim())) {
        const dist = distributed.get(name);
        if (dist === undefined) throw new Error(`column change on ${name}: its CREATE TABLE must come earlier in the migrations`);
        out.push(`DROP TABLE IF EXISTS ${db}.${name} ON CLUSTER ${c}`, dist.replace(/^CREATE TABLE (IF NOT EXISTS )?/, 'CREATE TABLE IF NOT EXISTS '));
      }
      return out;
    }
    const drop = /^DROP\s+(TABLE|VIEW)\s+(IF\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)$/i.exec(stmt.trim());
    if (drop === null) return undefined;
    const [, kind = '', ie = '', name = ''] = drop;
    const ifExists = ie === '' ? '' : 'IF EXISTS ';
    if (!sharded.has(name)) return [`DROP ${kind.toUpperCase()} ${ifExists}${db}.${name} ON CLUSTER ${c}`];
    return [`DROP TABLE ${ifExists}${db}.${name} ON CLUSTER ${c}`, `DROP TABLE ${ifExists}${db}.${local(name)} ON CLUSTER ${c}`];
  }

  return {
    rewrite(stmt) {
      const s = stmt.trim();
      const table = parseCreateTable(s);
      if (table !== undefined) return createTable(table);
      const out = createView(s) ?? alterOrDrop(s);
      if (out !== undefined) return out;
      // Data statements go through the Distributed tables like the collector's own inserts.
      if (/^INSERT\s+INTO\s/i.test(s)) return [s];
      throw new Error(`no cluster form for: ${s.slice(0, 60)}`);
    },
  };
}

/** `CREATE DATABASE ... ON CLUSTER`: run before any migration so every node has the database. */
export function createDatabaseOnCluster(target: ClusterTarget): string {
  return `CREATE DATABASE IF NOT EXISTS ${target.database} ON CLUSTER ${target.cluster}`;
}

/**
 * All migrations rewritten for cluster mode (same version, name and checksum: the record in
 * schema_migrations is mode-independent). Throws COL_ERR_MIGRATION_FAILED naming the statement
 * that has no cluster form, so a new migration that cannot run on a cluster fails its unit test.
 */
export function toClusterMigrations(migrations: readonly Migration[], target: ClusterTarget): Migration[] {
  const ddl = createClusterDdl(target);
  return migrations.map((m) => ({
    ...m,
    statements: m.statements.flatMap((s, i) => {
      try {
        return ddl.rewrite(s);
      } catch (err: unknown) {
        throw new AppError('COL_ERR_MIGRATION_FAILED', `${m.name} statement ${i + 1} (cluster mode): ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
    }),
  }));
}
