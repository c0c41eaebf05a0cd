// cluster-ingest: the same Export batches through the real collector (gRPC → Distributed tables
// with insert_distributed_sync → ReplicatedMergeTree + rollup MVs) into a 1-shard and a 2-shard
// cluster started in this run (one ZooKeeper, one replica per shard), as a ratio of rows/s, with a
// plain single node (no ZooKeeper, no Distributed) as the baseline for the cost of cluster mode.
// Also prints compressed bytes per GPU row and per GPU-day from system.parts on the seeded data.
// `node --import tsx bench/src/cluster-ingest.ts [hosts=32] [seconds=240] [seconds per batch=30]`
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { parseCollectorConfig, raw, sql, startCollector, type RunningCollector } from '@renderwatch/collector';
import { startLocalClickHouse, startLocalCluster, startLocalZooKeeper, type LocalClickHouse, type LocalCluster } from '@renderwatch/devkit';
import type { ExportRequest } from '@renderwatch/proto';
import { createRng, createVirtualHost, fleetSpecs } from '@renderwatch/simulator';
import pino from 'pino';
import { machineLine } from './bench-env.js';

const HOSTS = Number(process.argv[2] ?? 32);
const TICKS = Number(process.argv[3] ?? 240);
const BATCH_S = Number(process.argv[4] ?? 30);
const IN_FLIGHT = 8;

/** Per host, TICKS one-second samples cut into BATCH_S-second batches. */
function batches(): ExportRequest[] {
  const t0 = Date.now() - (TICKS + 60) * 1000;
  const rng = createRng(42);
  const out: ExportRequest[] = [];
  for (const spec of fleetSpecs(HOSTS, 42, 'bench-node')) {
    const vh = createVirtualHost(spec, createRng(Math.floor(rng() * 2 ** 31)), t0);
    const b = createBatcher({
      agentId: `bench-${spec.hostname}`,
      host: { hostname: spec.hostname, driverVersion: spec.driverVersion, cudaVersion: '12.8', agentVersion: 'bench', labels: {} },
      firstSeq: 1,
      maxRows: 100_000,
      flushIntervalMs: 3_600_000,
      deliver: (r) => out.push(r),
    });
    for (let t = 1; t <= TICKS; t++) {
      const tick = vh.step(t0 + t * 1000);
      b.addGpus(tick.gpus);
      b.addHost(tick.host);
      for (const e of tick.events) b.addEvent(e);
      if (t % BATCH_S === 0) b.flush();
    }
    b.flush();
  }
  return out;
}

const rowsOf = (r: ExportRequest): number => r.gpuSamples.length + r.hostSamples.length + r.events.length + r.gpuStatus.length;

/** A collector on the cluster's first node, or in single-node mode when `cluster` is undefined. */
async function collectorFor(url: string, cluster: string | undefined): Promise<RunningCollector> {
  const r = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: url,
    COLLECTOR_CLICKHOUSE_CLUSTER: cluster ?? '',
    COLLECTOR_CLICKHOUSE_DATABASE: `rw_bench_${cluster ?? 'single'}`,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'warn',
    COLLECTOR_SLO_EVAL_INTERVAL_S: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_START_TIMEOUT_MS: '60000',
  });
  if (!r.ok) throw new Error(r.issues.join('; '));
  return startCollector(r.config, pino({ level: 'warn' }));
}

/** Sends every batch with IN_FLIGHT at once; returns rows/s. */
async function ingest(c: RunningCollector, reqs: readonly ExportRequest[]): Promise<{ rowsPerS: number; seconds: number }> {
  const client = createExportClient({ address: `127.0.0.1:${c.grpcPort}` });
  let next = 0;
  let rows = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < reqs.length) {
        const req = reqs[next++];
        if (req === undefined) break;
        for (;;) {
          const r = await client.send(req, 30_000);
          if (r.status === 'ok') {
            rows += r.response.acceptedRows;
            break;
          }
          await new Promise((res) => setTimeout(res, 100));
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  return { rowsPerS: rows / seconds, seconds };
}

async function gpuBytes(c: RunningCollector): Promise<{ rows: number; bytes: number; gpus: number }> {
  const parts = await c.storage.query<{ rows: string; bytes: string }>(
    sql`SELECT sum(rows) AS rows, sum(data_compressed_bytes) AS bytes FROM system.parts WHERE database = ${c.storage.database} AND table = 'gpu_samples_local' AND active`,
  );
  const gpus = await c.storage.query<{ n: string }>(raw('SELECT uniqExact(gpu_uuid) AS n FROM gpu_samples'));
  return { rows: Number(parts[0]?.rows), bytes: Number(parts[0]?.bytes), gpus: Number(gpus[0]?.n) };
}

async function main(): Promise<void> {
  console.log(machineLine());
  const reqs = batches();
  const total = reqs.reduce((n, r) => n + rowsOf(r), 0);
  console.log(
    `load: ${HOSTS} simulated hosts × ${TICKS} s in ${BATCH_S} s batches, ${reqs.length} batches, ${total} rows, ${IN_FLIGHT} Export calls in flight, one collector`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'rw-bench-cluster-'));
  const zk = await startLocalZooKeeper({ dataDir: join(dir, 'zk') });
  const clusters: LocalCluster[] = [];
  let plain: LocalClickHouse | undefined;
  try {
    plain = await startLocalClickHouse({ dataDir: join(dir, 'plain') });
    const one = await startLocalCluster({ dataDir: join(dir, 'one'), cluster: 'one_shard', shards: 1, replicas: 1, zookeeper: zk });
    clusters.push(one);
    const two = await startLocalCluster({ dataDir: join(dir, 'two'), cluster: 'two_shards', shards: 2, replicas: 1, zookeeper: zk });
    clusters.push(two);
    const c0 = await collectorFor(plain.url, undefined);
    const c1 = await collectorFor(one.node(1, 1).url, one.cluster);
    const c2 = await collectorFor(two.node(1, 1).url, two.cluster);
    // Warm every path (connections, first parts) with a slice that is sent again later as duplicates.
    for (const c of [c0, c1, c2]) await ingest(c, reqs.slice(0, 8));
    const r0 = await ingest(c0, reqs.slice(8));
    const r1 = await ingest(c1, reqs.slice(8));
    const r2 = await ingest(c2, reqs.slice(8));
    console.log(`single node (plain MergeTree, no ZooKeeper): ${r0.rowsPerS.toFixed(0)} rows/s (${r0.seconds.toFixed(1)} s)`);
    console.log(
      `1 shard  (Replicated + Distributed, sync):     ${r1.rowsPerS.toFixed(0)} rows/s (${r1.seconds.toFixed(1)} s), ${((r1.rowsPerS / r0.rowsPerS) * 100).toFixed(0)}% of single node`,
    );
    console.log(
      `2 shards (Replicated + Distributed, sync):     ${r2.rowsPerS.toFixed(0)} rows/s (${r2.seconds.toFixed(1)} s), ${(r2.rowsPerS / 2).toFixed(0)} rows/s per shard`,
    );
    const g = await gpuBytes(c1);
    const perRow = g.bytes / g.rows;
    console.log(
      `gpu_samples on disk (1 shard, before background merges): ${g.rows} rows, ${g.bytes} bytes compressed = ${perRow.toFixed(1)} B/row → ${((perRow * 86_400) / 1e6).toFixed(1)} MB per GPU-day at 1 sample/s (${g.gpus} GPUs)`,
    );
    for (const c of [c0, c1, c2]) await c.stop();
    console.log('note: both clusters share this machine’s cores, so the ratio measures the overhead of fan-out, not scale-out (see docs/cluster.md)');
    console.log(
      `cluster-ingest: ${(r2.rowsPerS / r1.rowsPerS).toFixed(2)}x with 2 shards vs 1 (target ≥ 1.6x with shards on separate machines; one shared 2-core box cannot show scale-out)`,
    );
  } finally {
    await Promise.all([...clusters.map((c) => c.stop()), plain?.stop()]);
    await zk.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
