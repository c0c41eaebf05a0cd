// Cluster mode with real processes on loopback: Debian's ZooKeeper, four clickhouse-server
// instances (2 shards × 2 replicas, internal_replication=true), two collectors on different nodes,
// the simulator's hosts as Export batches. Proves: every row stored exactly once (a batch sent to
// both collectors is a duplicate the second time), nothing lost when one replica of each shard is
// SIGKILLed mid-run, and the Distributed tables answer like a single node fed the same batches.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportClient } from '@renderwatch/agent';
import { createExportClient } from '@renderwatch/agent/harness';
import { raw } from '@renderwatch/collector';
import { findClickHouseBinary, findZooKeeper, startLocalCluster, type LocalCluster } from '@renderwatch/devkit';
import type { ExportRequest } from '@renderwatch/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requestRows, simulatedBatches } from './cluster-batches.js';
import { startTestCollector } from './test-collector.js';

type Collector = Awaited<ReturnType<typeof startTestCollector>>;

const missing =
  findZooKeeper() === undefined ? 'zookeeper (apt-get install -y zookeeper)' : findClickHouseBinary() === undefined ? 'clickhouse-server' : undefined;
if (missing !== undefined) console.warn(`cluster.int.test: skipped, ${missing} is not installed`);

const BATCHES = simulatedBatches({ hosts: 8, ticks: 60, tickMs: 2000, ticksPerBatch: 10, startMs: Date.now() - 10 * 60_000 });
const TABLES = ['gpu_samples', 'host_samples', 'runtime_events', 'gpu_status'] as const;
const expected = {
  gpu_samples: BATCHES.reduce((n, b) => n + b.gpuSamples.length, 0),
  host_samples: BATCHES.reduce((n, b) => n + b.hostSamples.length, 0),
  runtime_events: BATCHES.reduce((n, b) => n + b.events.length, 0),
  gpu_status: BATCHES.reduce((n, b) => n + b.gpuStatus.length, 0),
};

/** Sends until acknowledged, rotating over the collectors (an agent retrying after UNAVAILABLE). */
async function deliver(req: ExportRequest, clients: readonly ExportClient[], first: number): Promise<{ duplicate: boolean; attempts: number }> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const client = clients[(first + attempt) % clients.length];
    if (client === undefined) break;
    const r = await client.send(req, 10_000);
    if (r.status === 'ok') return { duplicate: r.response.duplicate, attempts: attempt + 1 };
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`batch ${req.agentId}/${req.batchSeq} never acknowledged`);
}

async function nodeScalar(url: string, query: string): Promise<string> {
  const res = await fetch(`${url}/?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text.trim();
}

/** FINAL row counts of every local table on one node, as one comparable string. */
async function replicaCounts(url: string, db: string): Promise<string> {
  const tables = [...TABLES, 'hosts', 'ingest_batches', 'gpu_1m', 'jobs_1m'];
  const out = await Promise.all(tables.map((t) => nodeScalar(url, `SELECT count() FROM ${db}.${t}_local FINAL`)));
  return tables.map((t, i) => `${t}=${out[i]}`).join(',');
}

async function counts(c: Collector): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLES, 'hosts', 'ingest_batches']) {
    const r = await c.storage.query<{ c: string }>(raw(`SELECT count() AS c FROM ${t} FINAL`));
    out[t] = Number(r[0]?.c);
  }
  return out;
}

/** Rollup figures that duplicates cannot change (max, distinct minutes), per host: computed by the per-shard MVs. */
async function rollupFigures(c: Collector): Promise<unknown[]> {
  return c.storage.query(
    raw(`SELECT host, uniqExactMerge(minutes) AS minutes, round(maxMerge(temp_max), 3) AS temp_max, round(maxMerge(util_max), 4) AS util_max,
      toString(maxMerge(mem_used_max)) AS mem_used_max FROM gpu_1m GROUP BY host ORDER BY host`),
  );
}

/** Alert states by name (newest version per fingerprint). */
async function verdicts(c: Collector): Promise<unknown[]> {
  return c.storage.query(raw('SELECT alertname, state, count() AS n FROM alerts FINAL GROUP BY alertname, state ORDER BY alertname, state'));
}

/** /api/v1/fleet without the two receive-time fields (when each collector answered and ingested). */
async function fleet(c: Collector): Promise<{ hosts: Record<string, unknown>[] }> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/fleet`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { generated_at?: string; hosts: Record<string, unknown>[] };
  delete body.generated_at;
  for (const h of body.hosts) {
    expect(Date.now() - Date.parse(String(h['last_seen']))).toBeLessThan(300_000);
    delete h['last_seen'];
  }
  return body;
}

describe.skipIf(missing !== undefined)('cluster mode: 2 shards × 2 replicas, two collectors', () => {
  let dir: string;
  let cluster: LocalCluster;
  let a: Collector;
  let b: Collector;
  let single: Collector;
  let clients: ExportClient[] = [];
  let singleClient: ExportClient;
  let db: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-cluster-'));
    cluster = await startLocalCluster({ dataDir: dir, shards: 2, replicas: 2 });
    db = `rw_cluster_${randomBytes(4).toString('hex')}`;
    // Hourly evaluation slots: the scheduler stays idle during the test, which calls tick() itself.
    const quiet = { COLLECTOR_SLO_EVAL_INTERVAL_S: '3600', COLLECTOR_RETENTION_INTERVAL_S: '0', COLLECTOR_START_TIMEOUT_MS: '60000' };
    const env = { ...quiet, COLLECTOR_CLICKHOUSE_CLUSTER: cluster.cluster, COLLECTOR_CLICKHOUSE_DATABASE: db };
    // Each collector talks to the first replica of a shard (as deploy/cluster does): with
    // load_balancing=in_order both then read and write the same replica of every shard.
    a = await startTestCollector(cluster.node(1, 1).url, { ...env, COLLECTOR_REPLICA_ID: 'collector-a' });
    b = await startTestCollector(cluster.node(2, 1).url, { ...env, COLLECTOR_REPLICA_ID: 'collector-b' });
    single = await startTestCollector(inject('clickhouseUrl'), quiet);
    clients = [createExportClient({ address: `127.0.0.1:${a.grpcPort}` }), createExportClient({ address: `127.0.0.1:${b.grpcPort}` })];
    singleClient = createExportClient({ address: `127.0.0.1:${single.grpcPort}` });
  }, 170_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    singleClient?.close();
    await Promise.all([a?.stop(), b?.stop(), single?.stop()]);
    // Cleanup on the shared test server is best effort: a busy server must not fail the suite.
    if (single !== undefined) {
      const drop = `DROP DATABASE IF EXISTS ${single.config.COLLECTOR_CLICKHOUSE_DATABASE}`;
      await fetch(inject('clickhouseUrl'), { method: 'POST', body: drop, signal: AbortSignal.timeout(30_000) }).catch((err: unknown) =>
        console.warn(`cluster.int.test: could not drop the single-node database: ${String(err)}`),
      );
    }
    await cluster?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('creates Replicated local tables, Distributed tables and local rollup views on every node', async () => {
    for (const n of cluster.nodes) {
      const rows = await nodeScalar(
        n.url,
        `SELECT name, engine FROM system.tables WHERE database = '${db}' AND name IN ('gpu_samples', 'gpu_samples_local', 'gpu_1m_local', 'gpu_1m_mv', 'schema_migrations') ORDER BY name`,
      );
      expect(rows.split('\n'), n.name).toEqual([
        'gpu_1m_local\tReplicatedAggregatingMergeTree',
        'gpu_1m_mv\tMaterializedView',
        'gpu_samples\tDistributed',
        'gpu_samples_local\tReplicatedReplacingMergeTree',
        'schema_migrations\tReplicatedReplacingMergeTree',
      ]);
    }
  });

  it('stores a batch delivered to both collectors once: the second delivery is acknowledged as a duplicate', async () => {
    const half = BATCHES.slice(0, BATCHES.length / 2);
    let duplicates = 0;
    for (const [i, req] of half.entries()) {
      const [first] = await Promise.all([deliver(req, clients, i % 2), deliver(req, [singleClient], 0)]);
      expect(first.duplicate).toBe(false);
      if (i % 3 === 0) {
        const again = await deliver(req, clients, (i + 1) % 2);
        expect(again.duplicate, `batch ${i} through the other collector`).toBe(true);
        duplicates++;
      }
    }
    expect(duplicates).toBe(Math.ceil(half.length / 3));
    // Both shards hold data: one host's rows live on one shard, hosts spread over both.
    const perShard = await Promise.all([1, 2].map((s) => nodeScalar(cluster.node(s, 1).url, `SELECT uniqExact(host) FROM ${db}.gpu_samples_local`)));
    expect(perShard.map(Number).every((n) => n > 0)).toBe(true);
    expect(perShard.map(Number).reduce((x, y) => x + y)).toBe(8);
  }, 90_000);

  it('loses nothing when one replica of each shard is killed mid-run, and the replicas converge after restart', async () => {
    const rest = BATCHES.slice(BATCHES.length / 2);
    const killAt = Math.floor(rest.length / 3);
    let retried = 0;
    for (const [i, req] of rest.entries()) {
      // s1r1 is collector A's node (A fails, the agent retries on B; B's shard-1 traffic fails over
      // to s1r2); s2r2 is the replica B's node would copy to.
      if (i === killAt) await Promise.all([cluster.node(1, 1).kill(), cluster.node(2, 2).kill()]);
      const [r] = await Promise.all([deliver(req, clients, i % 2), deliver(req, [singleClient], 0)]);
      if (r.attempts > 1) retried++;
    }
    expect(retried, 'deliveries sent to the collector whose node was killed were retried').toBeGreaterThan(0);
    // While the killed replicas are down, reads fail over to the survivors. (Rows acknowledged in
    // the last moments before the SIGKILL may exist only on the killed replica's disk until it
    // returns: internal_replication without insert_quorum; docs/cluster.md.)
    expect((await counts(b)).hosts).toBe(8);
    await Promise.all([cluster.node(1, 1).restart(), cluster.node(2, 2).restart()]);
    for (const s of [1, 2]) {
      const deadline = Date.now() + 90_000;
      let pair: string[] = [];
      for (;;) {
        pair = await Promise.all([1, 2].map((r) => replicaCounts(cluster.node(s, r).url, db).catch(() => 'down')));
        if (pair[0] === pair[1] || Date.now() > deadline) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      expect(pair[0], `shard ${s} replicas`).toBe(pair[1]);
    }
    expect(await counts(a)).toEqual({ ...expected, hosts: 8, ingest_batches: BATCHES.length });
  }, 170_000);

  it('answers through the Distributed tables exactly like a single node fed the same batches', async () => {
    const [ca, cb, cs] = await Promise.all([counts(a), counts(b), counts(single)]);
    expect(ca).toEqual(cs);
    expect(cb).toEqual(cs);
    expect(cs).toEqual({ ...expected, hosts: 8, ingest_batches: BATCHES.length });
    expect(BATCHES.reduce((n, r) => n + requestRows(r), 0)).toBe(Object.values(expected).reduce((x, y) => x + y));
    const [fa, fb, fs] = await Promise.all([fleet(a), fleet(b), fleet(single)]);
    expect(fa).toEqual(fs);
    expect(fb).toEqual(fs);
    expect(fs.hosts).toHaveLength(8);
    const [ra, rs] = await Promise.all([rollupFigures(a), rollupFigures(single)]);
    expect(ra).toEqual(rs);
    expect(rs).toHaveLength(8);
  }, 60_000);

  it('lets one collector evaluate a slot and keeps one alert per fingerprint, with the single-node verdicts', async () => {
    const [ta, tb] = await Promise.all([a.evaluator.tick(), b.evaluator.tick()]);
    expect([ta.skipped, tb.skipped].sort()).toEqual([false, true]);
    const ts = await single.evaluator.tick();
    const winner = ta.skipped ? tb : ta;
    expect({ ...winner, notified: 0 }).toEqual({ ...ts, notified: 0 });
    const claims = await a.storage.query<{ replica: string }>(raw('SELECT DISTINCT replica FROM evaluator_leases ORDER BY replica'));
    expect(claims.map((c) => c.replica)).toEqual(['collector-a', 'collector-b']);
    const [va, vb, vs] = await Promise.all([verdicts(a), verdicts(b), verdicts(single)]);
    expect(va).toEqual(vs);
    expect(vb).toEqual(vs);
    const identity = await a.storage.query<{ rows: string; fps: string }>(
      raw('SELECT count() AS rows, uniqExact(tenant, fingerprint) AS fps FROM alerts FINAL'),
    );
    expect(identity[0]?.rows).toBe(identity[0]?.fps);
  }, 60_000);
});
