// Collector ingest throughput: GPU-sample rows per second through gRPC Export (the collector as a
// child process, many concurrent agents — the real retrying sender, a backlog of batches each,
// `window` calls open per agent, every batch acked) against the same rows inserted straight into the same ClickHouse with
// @clickhouse/client JSONEachRow (10,000-row inserts), in the same run.
//
//   node --import tsx bench/src/ingest.ts [agents=200] [seconds of 1 Hz samples per agent=60] [flush s=2] [window=4]
//
// Each agent is an 8-GPU host sampled at 1 Hz; a batch holds `flush` seconds of samples (8 rows per
// second) plus one host sample per second. The last line is
// `ingest: <ratio>x of direct insert (target >= 0.5x)`.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { createBatcher, createExportClient, createMemoryStore, createRetryingSender } from '@renderwatch/agent';
import { createStorage, ensureDatabase, migrate, raw } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { benchClickHouse, machineLine, procStats } from './bench-env.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (i: number, d: number): number => Number(process.argv[2 + i] ?? d);
const AGENTS = arg(0, 200);
const SECONDS = arg(1, 60);
const FLUSH_S = arg(2, 2);
/** Export calls each agent keeps open (AGENT_EXPORT_MAX_INFLIGHT); a backlog is sent this many at a time. */
const WINDOW = arg(3, 4);
const GPUS = 8;

function agentBatches(agent: number, t0: number): ExportRequest[] {
  const out: ExportRequest[] = [];
  const host = `bench-${String(agent).padStart(4, '0')}`;
  const b = createBatcher({
    agentId: `agent-${host}`,
    host: { hostname: host, driverVersion: '570.124.04', cudaVersion: '12.8', agentVersion: 'bench', labels: {} },
    firstSeq: 1,
    maxRows: 1_000_000,
    flushIntervalMs: 3_600_000,
    deliver: (r) => out.push(r),
  });
  for (let s = 0; s < SECONDS; s++) {
    const ts = t0 + s * 1000;
    b.addGpus(
      Array.from({ length: GPUS }, (_, i) => ({
        ts_unix_ms: ts, index: i, uuid: `GPU-${host}-${i}`, name: 'NVIDIA L40S', utilization_gpu_ratio: ((s + i) % 100) / 100,
        memory_used_bytes: (20 + i) * 1024 ** 3, memory_total_bytes: 48 * 1024 ** 3, temperature_celsius: 55 + (s % 20), power_draw_watts: 200 + i,
        power_limit_watts: 350, sm_clock_mhz: 2100, sm_clock_max_mhz: 2520, clock_event_reasons_mask: 0,
      })),
    );
    b.addHost({ ts_unix_ms: ts, cpu_ratio: 0.3, memory_used_bytes: 64 * 1024 ** 3, memory_total_bytes: 256 * 1024 ** 3 });
    if ((s + 1) % FLUSH_S === 0) b.flush();
  }
  b.flush();
  return out;
}

/** The gpu_samples row the collector writes for a wire sample (same columns, same values). */
function directRows(batches: readonly ExportRequest[]): Record<string, unknown>[] {
  return batches.flatMap((r) =>
    r.gpuSamples.map((g) => {
      const iso = new Date(g.tsUnixMs).toISOString();
      return {
        tenant: 'default', host: r.host?.hostname ?? '', agent_id: r.agentId, ts: `${iso.slice(0, 10)} ${iso.slice(11, 19)}`, ts_ms: g.tsUnixMs % 1000,
        gpu_index: g.index, gpu_uuid: g.uuid, gpu_name: g.name, util_ratio: g.utilizationGpuRatio ?? null, mem_used_bytes: g.memoryUsedBytes ?? null,
        mem_total_bytes: g.memoryTotalBytes ?? null, temp_celsius: g.temperatureCelsius ?? null, power_draw_watts: g.powerDrawWatts ?? null,
        power_limit_watts: g.powerLimitWatts ?? null, sm_clock_mhz: g.smClockMhz ?? null, sm_clock_max_mhz: g.smClockMaxMhz ?? null,
        clock_event_reasons: g.clockEventReasonsMask ?? null, mig_enabled: 0, process_pids: [], process_names: [], process_runtimes: [], process_mem_bytes: [],
        batch_seq: r.batchSeq,
      };
    }),
  );
}

async function main(): Promise<void> {
  console.log(machineLine());
  const ch = await benchClickHouse();
  const t0 = Date.now() - (SECONDS + 5) * 1000;
  const batches = Array.from({ length: AGENTS }, (_, a) => agentBatches(a, t0));
  const gpuRows = AGENTS * SECONDS * GPUS;
  console.log(`workload: ${AGENTS} agents × ${SECONDS} s × ${GPUS} GPUs = ${gpuRows} GPU rows (+${AGENTS * SECONDS} host rows) in ${batches.flat().length} batches of ${FLUSH_S} s`);

  // Direct: the same GPU rows into a migrated database of their own, 10,000 rows per INSERT.
  const directDb = 'bench_direct';
  await ensureDatabase({ url: ch.url, database: directDb, username: 'default', password: '' });
  const ds = createStorage({ url: ch.url, database: directDb, username: 'default', password: '' });
  await migrate(ds);
  await ds.close();
  const rows = directRows(batches.flat());
  const client = createClient({ url: ch.url, database: directDb, compression: { request: false, response: false } });
  const d0 = performance.now();
  for (let i = 0; i < rows.length; i += 10_000) await client.insert({ table: 'gpu_samples', values: rows.slice(i, i + 10_000), format: 'JSONEachRow' });
  const directS = (performance.now() - d0) / 1000;
  await client.close();
  const directRate = gpuRows / directS;
  console.log(`direct insert: ${gpuRows} rows in ${directS.toFixed(2)} s = ${Math.round(directRate)} rows/s`);

  // Through the collector (a child process), every agent sending in order and waiting for acks.
  const grpcPort = await freePort();
  const child = spawn(join(HERE, '..', '..', 'collector', 'bin', 'renderwatch-collector'), ['serve'], {
    env: {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, COLLECTOR_CLICKHOUSE_URL: ch.url, COLLECTOR_CLICKHOUSE_DATABASE: 'bench_collector',
      COLLECTOR_HOST: '127.0.0.1', COLLECTOR_HTTP_PORT: '0', COLLECTOR_GRPC_PORT: String(grpcPort), COLLECTOR_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('gRPC')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const clients = Array.from({ length: Math.min(AGENTS, 50) }, () => createExportClient({ address: `127.0.0.1:${grpcPort}` }));
  // Each agent is the real sender over a memory store, WINDOW Export calls open at once.
  let retries = 0;
  const before = await procStats(child.pid ?? -1);
  const c0 = performance.now();
  const log = pino({ level: 'error' });
  const senders = batches.map((list, a) => {
    const store = createMemoryStore(list.length);
    for (const req of list) store.append(req);
    const channel = clients[a % clients.length];
    if (channel === undefined) throw new Error('no client');
    const s = createRetryingSender({ client: channel, store, log, deadlineMs: 30_000, maxInFlight: WINDOW, onOutcome: (o) => (retries += o === 'retry' ? 1 : 0) });
    s.kick();
    return s;
  });
  const drained = await Promise.all(senders.map((s) => s.drain(600_000)));
  if (drained.includes(false)) throw new Error('not every agent drained within 600 s');
  const collectorS = (performance.now() - c0) / 1000;
  const after = await procStats(child.pid ?? -1);
  const collectorRate = gpuRows / collectorS;
  const cpu = before !== undefined && after !== undefined ? `${(((after.cpuS - before.cpuS) / collectorS) * 100).toFixed(0)}% of one core, ${after.rssMb.toFixed(0)} MB RSS` : 'n/a';
  console.log(`collector: ${gpuRows} rows in ${collectorS.toFixed(2)} s = ${Math.round(collectorRate)} rows/s (window ${WINDOW}, ${retries} retries; collector ${cpu})`);
  for (const s of senders) s.stop();
  for (const cl of clients) cl.close();

  const check = createStorage({ url: ch.url, database: 'bench_collector', username: 'default', password: '' });
  const [n] = await check.query<{ c: string }>(raw('SELECT count() AS c FROM gpu_samples FINAL'));
  await check.close();
  if (Number(n?.c) !== gpuRows) throw new Error(`collector stored ${n?.c} GPU rows, expected ${gpuRows}`);
  console.log(`stored: ${n?.c} GPU rows (FINAL) = generated`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await ch.close();
  console.log(`ingest: ${(collectorRate / directRate).toFixed(2)}x of direct insert (target >= 0.5x)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
