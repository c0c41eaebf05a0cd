import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { CLUSTER_SESSION_SETTINGS, createClusterDdl, createDatabaseOnCluster, shardingKey, sortKey, toClusterMigrations } from './cluster-ddl.js';
import { loadMigrations, type Migration } from './migrate.js';

const T = { cluster: 'rw', database: 'db1' };

describe('sortKey', () => {
  it.each([
    ['PARTITION BY toYYYYMMDD(ts)\nORDER BY (tenant, host, gpu_uuid, ts, ts_ms)', ['tenant', 'host', 'gpu_uuid', 'ts', 'ts_ms']],
    ['ORDER BY id', ['id']],
    ['ORDER BY (slot, intDiv(claimed_ms, 1000)) SETTINGS index_granularity = 8192', ['slot', 'intDiv(claimed_ms, 1000)']],
    ['PARTITION BY toYYYYMM(ts)', []],
  ])('reads the ORDER BY list of %j', (rest, want) => {
    expect(sortKey(rest)).toEqual(want);
  });
});

describe('shardingKey', () => {
  it.each([
    [['tenant', 'host', 'ts'], 'cityHash64(tenant, host)'],
    [['tenant', 'kind', 'host', 'ts', 'ts_ms', 'agent_id', 'batch_seq', 'seq'], 'cityHash64(tenant, host)'],
    [['tenant', 'agent_id', 'batch_seq'], 'cityHash64(tenant, agent_id, batch_seq)'],
    [['id'], 'cityHash64(id)'],
    [['tuple()'], 'rand()'],
    [[], 'rand()'],
  ])('keys %j by %s', (key, want) => {
    expect(shardingKey(key)).toBe(want);
  });
});

describe('createClusterDdl', () => {
  const raw = `CREATE TABLE IF NOT EXISTS hosts (
  tenant String,
  host String,
  last_seen DateTime('UTC')
) ENGINE = ReplacingMergeTree(last_seen)
ORDER BY (tenant, host)`;

  it('turns a MergeTree table into a replicated local table and a Distributed table keyed by tenant and host', () => {
    const out = createClusterDdl(T).rewrite(raw);
    expect(out).toEqual([
      `CREATE TABLE IF NOT EXISTS db1.hosts_local ON CLUSTER rw (
  tenant String,
  host String,
  last_seen DateTime('UTC')
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/rw/{shard}/db1/hosts_local', '{replica}', last_seen)
ORDER BY (tenant, host)`,
      'CREATE TABLE IF NOT EXISTS db1.hosts ON CLUSTER rw AS db1.hosts_local ENGINE = Distributed(rw, db1, hosts_local, cityHash64(tenant, host))',
    ]);
  });

  it('keeps engines without arguments argument-free after the path and replica', () => {
    const [local] = createClusterDdl(T).rewrite(
      'CREATE TABLE IF NOT EXISTS r (tenant String, t DateTime) ENGINE = AggregatingMergeTree() ORDER BY (tenant, t)',
    );
    expect(local).toBe(
      "CREATE TABLE IF NOT EXISTS db1.r_local ON CLUSTER rw (tenant String, t DateTime) ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/rw/{shard}/db1/r_local', '{replica}')\nORDER BY (tenant, t)",
    );
  });

  it('replicates schema_migrations to every node instead of sharding it', () => {
    const out = createClusterDdl(T).rewrite(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, applied_at DateTime('UTC')) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version",
    );
    expect(out).toEqual([
      "CREATE TABLE IF NOT EXISTS db1.schema_migrations ON CLUSTER rw (version UInt32, applied_at DateTime('UTC')) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/rw/all/db1/schema_migrations', '{shard}-{replica}', applied_at)\nORDER BY version",
    ]);
  });

  it('points a materialized view at the local source and the local rollup, so rollups are computed per shard', () => {
    const ddl = createClusterDdl(T, new Set(['gpu_samples', 'gpu_1m']));
    expect(
      ddl.rewrite('CREATE MATERIALIZED VIEW IF NOT EXISTS gpu_1m_mv TO gpu_1m AS\nSELECT tenant, host, count() AS n\nFROM gpu_samples\nGROUP BY tenant, host'),
    ).toEqual([
      'CREATE MATERIALIZED VIEW IF NOT EXISTS db1.gpu_1m_mv ON CLUSTER rw TO db1.gpu_1m_local AS SELECT tenant, host, count() AS n\nFROM db1.gpu_samples_local\nGROUP BY tenant, host',
    ]);
  });

  it('qualifies plain views with the database and leaves them reading the Distributed tables', () => {
    const ddl = createClusterDdl(T, new Set(['gpu_samples']));
    expect(ddl.rewrite('CREATE VIEW IF NOT EXISTS v AS SELECT count() FROM gpu_samples')).toEqual([
      'CREATE VIEW IF NOT EXISTS db1.v ON CLUSTER rw AS SELECT count() FROM db1.gpu_samples',
    ]);
  });

  it.each([
    ["ALTER TABLE hosts DELETE WHERE tenant = 'x'", ["ALTER TABLE db1.hosts_local ON CLUSTER rw DELETE WHERE tenant = 'x'"]],
    ['ALTER TABLE hosts DROP PARTITION 20240101', ['ALTER TABLE db1.hosts_local ON CLUSTER rw DROP PARTITION 20240101']],
    ['DROP TABLE IF EXISTS hosts', ['DROP TABLE IF EXISTS db1.hosts ON CLUSTER rw', 'DROP TABLE IF EXISTS db1.hosts_local ON CLUSTER rw']],
    ['DROP VIEW IF EXISTS some_mv', ['DROP VIEW IF EXISTS db1.some_mv ON CLUSTER rw']],
    ["INSERT INTO hosts (tenant) VALUES ('a')", ["INSERT INTO hosts (tenant) VALUES ('a')"]],
  ])('rewrites %j', (stmt, want) => {
    expect(createClusterDdl(T, new Set(['hosts'])).rewrite(stmt)).toEqual(want);
  });

  it('adds a column to the local tables and builds the Distributed table again (18.16 will not ALTER it ON CLUSTER)', () => {
    const ddl = createClusterDdl(T);
    ddl.rewrite('CREATE TABLE IF NOT EXISTS hosts (tenant String, host String) ENGINE = ReplacingMergeTree() ORDER BY (tenant, host)');
    expect(ddl.rewrite('ALTER TABLE hosts ADD COLUMN region String')).toEqual([
      'ALTER TABLE db1.hosts_local ON CLUSTER rw ADD COLUMN region String',
      'DROP TABLE IF EXISTS db1.hosts ON CLUSTER rw',
      'CREATE TABLE IF NOT EXISTS db1.hosts ON CLUSTER rw AS db1.hosts_local ENGINE = Distributed(rw, db1, hosts_local, cityHash64(tenant, host))',
    ]);
    expect(() => createClusterDdl(T, new Set(['hosts'])).rewrite('ALTER TABLE hosts ADD COLUMN region String')).toThrow(/CREATE TABLE must come earlier/);
  });

  it.each([
    ['CREATE TABLE IF NOT EXISTS m (x UInt8) ENGINE = Memory', /engine Memory has no replicated form/],
    ['CREATE TABLE IF NOT EXISTS other.m (x UInt8) ENGINE = MergeTree ORDER BY x', /without a database/],
    ['CREATE MATERIALIZED VIEW IF NOT EXISTS v TO nowhere AS SELECT 1', /target nowhere is not a sharded table/],
    ['CREATE MATERIALIZED VIEW IF NOT EXISTS v ENGINE = MergeTree ORDER BY x AS SELECT 1 AS x', /need `TO <table>`/],
    ['OPTIMIZE TABLE hosts FINAL', /no cluster form/],
  ])('refuses %j', (stmt, message) => {
    expect(() => createClusterDdl(T).rewrite(stmt)).toThrow(message);
  });

  it('refuses cluster or database names that are not identifiers', () => {
    expect(() => createClusterDdl({ cluster: 'rw; DROP', database: 'db' })).toThrow(/identifiers/);
    expect(createDatabaseOnCluster(T)).toBe('CREATE DATABASE IF NOT EXISTS db1 ON CLUSTER rw');
  });
});

describe('toClusterMigrations over the shipped migrations', () => {
  it('rewrites every statement: each table becomes local + Distributed, each view reads only local tables', async () => {
    const single = await loadMigrations();
    const cluster = toClusterMigrations(single, T);
    expect(cluster.map((m) => [m.version, m.name, m.checksum])).toEqual(single.map((m) => [m.version, m.name, m.checksum]));
    const tables = single.flatMap((m) => m.statements).filter((s) => /^CREATE TABLE/i.test(s)).length;
    const views = single.flatMap((m) => m.statements).filter((s) => /^CREATE MATERIALIZED VIEW/i.test(s)).length;
    const out = cluster.flatMap((m) => m.statements);
    expect(tables).toBeGreaterThanOrEqual(6);
    expect(out.filter((s) => /ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/rw\/\{shard\}\/db1\/\w+_local', '\{replica\}'/.test(s))).toHaveLength(
      tables,
    );
    // Each table's Distributed table, plus one rebuilt after each column change (0012's ADD COLUMNs).
    const columnChanges = single.flatMap((m) => m.statements).filter((s) => /^ALTER TABLE \w+ (ADD|DROP|MODIFY|RENAME) COLUMN/i.test(s)).length;
    expect(columnChanges).toBeGreaterThanOrEqual(2);
    expect(out.filter((s) => /ENGINE = Distributed\(rw, db1, \w+_local, /.test(s))).toHaveLength(tables + columnChanges);
    for (const s of out) {
      // Data statements (a backfill) go through the Distributed tables like the collector's inserts.
      if (!s.startsWith('INSERT INTO ')) expect(s).toMatch(/ON CLUSTER rw/);
      expect(s).not.toMatch(/ENGINE = (Replacing|Aggregating|Summing)?MergeTree/);
    }
    const mvs = out.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(mvs).toHaveLength(views);
    for (const mv of mvs) {
      expect(mv).toMatch(/ TO db1\.\w+_local AS /);
      expect(mv).toMatch(/FROM db1\.\w+_local\b/);
    }
  });

  it('keys every raw table that has a host by cityHash64(tenant, host)', async () => {
    const out = toClusterMigrations(await loadMigrations(), T).flatMap((m) => m.statements);
    for (const t of ['gpu_samples', 'host_samples', 'runtime_events', 'gpu_status', 'hosts']) {
      expect(out).toContain(
        `CREATE TABLE IF NOT EXISTS db1.${t} ON CLUSTER rw AS db1.${t}_local ENGINE = Distributed(rw, db1, ${t}_local, cityHash64(tenant, host))`,
      );
    }
    expect(out).toContain(
      'CREATE TABLE IF NOT EXISTS db1.ingest_batches ON CLUSTER rw AS db1.ingest_batches_local ENGINE = Distributed(rw, db1, ingest_batches_local, cityHash64(tenant, agent_id, batch_seq))',
    );
  });

  it('names the migration and statement that has no cluster form', () => {
    const bad: Migration = { version: 99, name: '0099_bad', checksum: 'x', statements: ['CREATE TABLE IF NOT EXISTS m (x UInt8) ENGINE = Log'] };
    try {
      toClusterMigrations([bad], T);
      expect.unreachable();
    } catch (err: unknown) {
      expect(isAppError(err) && err.code).toBe('COL_ERR_MIGRATION_FAILED');
      expect(String(err)).toMatch(/0099_bad statement 1 \(cluster mode\): table m: engine Log/);
    }
  });

  it('asks every session for synchronous distributed inserts, ordered replica choice, GLOBAL IN and no block dedup', () => {
    expect(CLUSTER_SESSION_SETTINGS).toEqual({
      insert_distributed_sync: 1,
      load_balancing: 'in_order',
      distributed_product_mode: 'global',
      insert_deduplicate: 0,
    });
  });
});
