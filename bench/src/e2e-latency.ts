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
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const log = pino({ level: 'silent' });
  const collector = await startCollector(cfg.config, log);
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
  console.log(`samples: ${lat.length} of ${SAMPLES} (sample every 1 s, batch flush every 2 s — the agent defaults)`);
  console.log(`sample → queryable via API: p50 ${percentile(lat, 50)} ms, p95 ${percentile(lat, 95)} ms, p99 ${percentile(lat, 99)} ms, max ${lat.at(-1)} ms`);
  console.log(`e2e-latency: p99 ${(percentile(lat, 99) / 1000).toFixed(2)} s (target < 5 s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
