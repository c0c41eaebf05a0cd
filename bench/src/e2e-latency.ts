// e2e-latency: how long after a GPU sample is taken it is queryable through the API, through the
// real path, built by createAgentPipeline as the daemon is (agent loop with default sample/flush
// intervals → batcher → disk spool → gRPC → collector →
// ClickHouse → GET /api/v1/fleet). Target: < 5 s (docs/design.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentPipeline, resolveAgentConfig, type GpuSampler, type GpuSnapshot } from '@renderwatch/agent';
import { parseCollectorConfig, raw, startCollector } from '@renderwatch/collector';
import { FleetResponseSchema } from '@renderwatch/schema';
import pino from 'pino';
import { benchClickHouse, machineLine, percentile } from './bench-env.js';

const SAMPLES = Number(process.argv[2] ?? 20);
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  console.log(machineLine());
  const ch = await benchClickHouse();
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: ch.url,
    COLLECTOR_CLICKHOUSE_DATABASE: 'rw_bench_latency',
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
    // Ingest tuning to try (COLLECTOR_INGEST_LINGER_MS=50 ...) passes through; unset = the defaults.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('COLLECTOR_INGEST_'))),
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const log = pino({ level: 'silent' });
  const collector = await startCollector(cfg.config, log);
  // Where the time goes: when the collector's gpu_samples INSERT carrying each marker started and
  // ended (the storage object the ingest path writes through, wrapped).
  const insertAt = new Map<number, { start: number; end: number }>();
  const storage = collector.storage;
  const lookups: number[] = [];
  const query = storage.query.bind(storage);
  storage.query = async <T>(q: Parameters<typeof query>[0], settings?: Parameters<typeof query>[1]): Promise<T[]> => {
    const start = Date.now();
    const rows = await query<T>(q, settings);
    if (q.text.includes('FROM ingest_batches')) lookups.push(Date.now() - start);
    return rows;
  };
  const insertJsonLines = storage.insertJsonLines.bind(storage);
  storage.insertJsonLines = async (table, text) => {
    const start = Date.now();
    await insertJsonLines(table, text);
    if (table !== 'gpu_samples') return;
    const end = Date.now();
    for (const m of (typeof text === 'string' ? text : Buffer.concat(Buffer.isBuffer(text) ? [text] : text).toString()).matchAll(/"mem_used_bytes":(\d+)/g))
      insertAt.set(Math.round(Number(m[1]) / MiB), { start, end });
  };
  // The sample's memory_used_bytes carries a marker (its sequence number) we can look for.
  let marker = 0;
  const takenAt = new Map<number, number>();
  const sampler: GpuSampler = {
    source: 'simulated',
    sample: () => {
      marker++;
      const now = Date.now();
      takenAt.set(marker, now);
      const g: GpuSnapshot = {
        ts_unix_ms: now,
        index: 0,
        uuid: 'GPU-bench-latency',
        name: 'NVIDIA H100 80GB HBM3',
        memory_used_bytes: marker * MiB,
        memory_total_bytes: 81559 * MiB,
        utilization_gpu_ratio: 0.9,
      };
      return Promise.resolve({ gpus: [g], status: [] });
    },
    close: () => Promise.resolve(),
  };
  const stateDir = mkdtempSync(join(tmpdir(), 'rw-bench-latency-'));
  const agentCfg = resolveAgentConfig({
    AGENT_HOSTNAME: 'bench-latency-host',
    AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${collector.grpcPort}`,
    AGENT_STATE_DIR: stateDir,
  });
  if (!agentCfg.ok) throw new Error(agentCfg.issues.join('; '));
  const pipeline = createAgentPipeline(agentCfg.config, { log, gpuSampler: sampler });
  await pipeline.start();
  const seen = new Map<number, number>();
  const url = `http://127.0.0.1:${collector.httpPort}/api/v1/fleet`;
  const deadline = Date.now() + (SAMPLES + 15) * 1000;
  while (seen.size < SAMPLES && Date.now() < deadline) {
    const body = FleetResponseSchema.parse(await (await fetch(url)).json());
    const used = body.hosts.find((h) => h.host === 'bench-latency-host')?.gpus[0]?.memory_used_bytes;
    if (used !== null && used !== undefined) {
      const m = Math.round(used / MiB);
      // Every sample up to the latest visible one is queryable now (batches arrive in order).
      for (let k = 1; k <= m; k++) if (!seen.has(k) && takenAt.has(k)) seen.set(k, Date.now() - (takenAt.get(k) ?? 0));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await pipeline.stop(5000);
  rmSync(stateDir, { recursive: true, force: true });
  await collector.storage.command(raw('DROP DATABASE IF EXISTS rw_bench_latency'));
  await collector.stop();
  await ch.close();
  const lat = [...seen.values()].sort((a, b) => a - b);
  const part = (f: (m: number, t: number, at: { start: number; end: number }) => number): string => {
    const xs = [...seen.keys()].flatMap((m) => {
      const t = takenAt.get(m);
      const at = insertAt.get(m);
      return t === undefined || at === undefined ? [] : [f(m, t, at)];
    });
    xs.sort((a, b) => a - b);
    return `p50 ${percentile(xs, 50)} / p99 ${percentile(xs, 99)} ms`;
  };
  console.log(
    `where the time goes (sample taken → collector's gpu_samples INSERT starts: agent batch wait + spool + send + collector linger (0 for a lone agent, at most ${cfg.config.COLLECTOR_INGEST_LINGER_MS} ms) + ledger lookup): ${part((_m, t, at) => at.start - t)}`,
  );
  lookups.sort((a, b) => a - b);
  console.log(`  of which the ledger lookup before each group's INSERTs: p50 ${percentile(lookups, 50)} / p99 ${percentile(lookups, 99)} ms`);
  console.log(`  INSERT (gpu_samples, beside the other tables): ${part((_m, _t, at) => at.end - at.start)}`);
  console.log(`  INSERT done → seen on /api/v1/fleet (polled every 50 ms): ${part((m, t, at) => t + (seen.get(m) ?? 0) - at.end)}`);
  console.log(`samples: ${lat.length} of ${SAMPLES} (sample every 1 s, batch flush every 2 s — the agent defaults)`);
  console.log(`sample → queryable via API: p50 ${percentile(lat, 50)} ms, p95 ${percentile(lat, 95)} ms, p99 ${percentile(lat, 99)} ms, max ${lat.at(-1)} ms`);
  console.log(`e2e-latency: p99 ${(percentile(lat, 99) / 1000).toFixed(2)} s (target < 5 s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
