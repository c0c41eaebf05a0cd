// Collector ingest throughput: GPU-sample rows per second through gRPC Export (the collector as a
// child process, many concurrent agents with a backlog each, `window` calls open per agent, every
// batch acked) against the same rows (GPU and host samples) inserted straight into the same
// ClickHouse with @clickhouse/client JSONEachRow (10,000-row inserts), in the same run, into
// equally migrated databases (the same rollup materialized views on gpu_samples and host_samples).
//
//   node --import tsx bench/src/ingest.ts [agents=200] [seconds of 1 Hz samples per agent=120] [flush s=2] [window=4] [agents=replay|stream|real|both|all] [rounds=3]
//
// Each agent is an 8-GPU host sampled at 1 Hz; a batch holds `flush` seconds of samples (8 rows per
// second) plus one host sample per second. Two ways to play the agents (one machine runs them, the
// collector and ClickHouse, so what the agents cost matters):
// - replay (the headline): every batch is protobuf-encoded and gzipped as the agent does it, before
//   the clock starts; each agent then sends its batches as gRPC calls over HTTP/2 (`window` at a
//   time, in order, retrying refused ones), so nearly all the CPU goes to the collector and ClickHouse,
//   as it would with the agents on their own machines;
// - real: each agent is the real retrying sender over a memory store (encoding and gzip per call
//   in this process, ~2 ms of CPU per call here), which bounds the rate by the agents themselves.
// - stream: the same pre-encoded frames on one ExportStream per agent (the client-streaming path:
//   no HTTP/2 stream, headers and trailers per batch), at most 16 batches unacknowledged, resuming
//   after the last ack when the collector ends the stream with a retry hint.
// Direct, replay and stream run `rounds` times, alternating, each into fresh databases (this
// machine's figures move ±30% from one minute to the next). The second-to-last line is the
// collector's CPU per Export call (16 GPU + 2 host rows) by path, the median over rounds (target
// <= 0.15 ms; the line before it: the part on the collector's main thread, the rest being V8's GC
// and compiler threads, shown per thread under each run); the last line is
// `ingest: <ratio>x of direct insert (target >= 0.5x)`, the median of the rounds' ratios of the
// best path measured (stream when run), with the unary median beside it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { createAgentPipeline, resolveAgentConfig } from '@renderwatch/agent';
import { createBatcher, createExportClient } from '@renderwatch/agent/harness';
import { createStorage, ensureDatabase, migrate, raw } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import type { ExportRequest } from '@renderwatch/proto';
import pino from 'pino';
import { benchClickHouse, machineLine, percentile, procStats } from './bench-env.js';
import { CHANNELS, grpcFrame, replayAgents, streamAgents } from './ingest-transport.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (i: number, d: number): number => Number(process.argv[2 + i] ?? d);
const AGENTS = arg(0, 200);
const SECONDS = arg(1, 120);
const FLUSH_S = arg(2, 2);
/** Export calls each agent keeps open (AGENT_EXPORT_MAX_INFLIGHT); a backlog is sent this many at a time. */
const WINDOW = arg(3, 4);
const MODE = process.argv[6] ?? 'both';
const ROUNDS = arg(5, 3);
const GPUS = 8;
/** DDL and DROP of the benchmark's databases on a loaded machine can take minutes (the storage default is 30 s). */
const DDL_TIMEOUT_MS = 300_000;

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
        ts_unix_ms: ts,
        index: i,
        uuid: `GPU-${host}-${i}`,
        name: 'NVIDIA L40S',
        utilization_gpu_ratio: ((s + i) % 100) / 100,
        memory_used_bytes: (20 + i) * 1024 ** 3,
        memory_total_bytes: 48 * 1024 ** 3,
        temperature_celsius: 55 + (s % 20),
        power_draw_watts: 200 + i,
        power_limit_watts: 350,
        sm_clock_mhz: 2100,
        sm_clock_max_mhz: 2520,
        clock_event_reasons_mask: 0,
      })),
    );
    b.addHost({ ts_unix_ms: ts, cpu_ratio: 0.3, memory_used_bytes: 64 * 1024 ** 3, memory_total_bytes: 256 * 1024 ** 3 });
    if ((s + 1) % FLUSH_S === 0) b.flush();
  }
  b.flush();
  return out;
}

const chTs = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
};

const common = (r: ExportRequest, ts: number): Record<string, unknown> => ({
  tenant: 'default',
  host: r.host?.hostname ?? '',
  agent_id: r.agentId,
  ts: chTs(ts),
  ts_ms: ts % 1000,
  batch_seq: r.batchSeq,
});

/** The gpu_samples and host_samples rows the collector writes for these batches (same columns, same values). */
function directRows(batches: readonly ExportRequest[]): { gpu: Record<string, unknown>[]; host: Record<string, unknown>[] } {
  const gpu = batches.flatMap((r) =>
    r.gpuSamples.map((g) => ({
      ...common(r, g.tsUnixMs),
      gpu_index: g.index,
      gpu_uuid: g.uuid,
      gpu_name: g.name,
      util_ratio: g.utilizationGpuRatio ?? null,
      mem_used_bytes: g.memoryUsedBytes ?? null,
      mem_total_bytes: g.memoryTotalBytes ?? null,
      temp_celsius: g.temperatureCelsius ?? null,
      power_draw_watts: g.powerDrawWatts ?? null,
      power_limit_watts: g.powerLimitWatts ?? null,
      sm_clock_mhz: g.smClockMhz ?? null,
      sm_clock_max_mhz: g.smClockMaxMhz ?? null,
      clock_event_reasons: g.clockEventReasonsMask ?? null,
      interval_ms: g.intervalMs ?? null,
      mig_enabled: 0,
      process_pids: [],
      process_names: [],
      process_runtimes: [],
      process_mem_bytes: [],
    })),
  );
  const host = batches.flatMap((r) =>
    r.hostSamples.map((h) => ({
      ...common(r, h.tsUnixMs),
      cpu_ratio: h.cpuRatio ?? null,
      mem_used_bytes: h.memoryUsedBytes ?? null,
      mem_total_bytes: h.memoryTotalBytes ?? null,
      volume_mounts: [],
      volume_roles: [],
      volume_size_bytes: [],
      volume_free_bytes: [],
    })),
  );
  return { gpu, host };
}

/** CPU seconds of the ClickHouse server this benchmark started (a child of this process), if any. */
function clickHouseCpuS(): number | undefined {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      if (stat.includes('(clickhouse-serv') && Number(f[1]) === process.pid) return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** CPU seconds per thread of a process (main: the tid equal to the pid; others `<name>#<tid - pid>`), from /proc/PID/task. */
function threadCpuS(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Node names every thread "node": the others are told apart by start order (tid), the V8
      // platform's workers (GC, compilation) starting first, libuv's pool later (on first use).
      const name = tid === String(pid) ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}#${Number(tid) - pid}`;
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** `main 0.310, node#6 0.053, ...` ms per call by thread, from two threadCpuS snapshots. */
function perThreadLine(before: Map<string, number>, after: Map<string, number>, calls: number): string {
  return [...after]
    .map(([name, s]): [string, number] => [name, ((s - (before.get(name) ?? 0)) * 1000) / calls])
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
    .join(', ');
}

interface Cpu {
  collector: number;
  clickhouse: number | undefined;
  agents: number;
}

/** Runs `body` and reports the CPU (in cores) that the collector, ClickHouse and this process used meanwhile. */
async function measured(
  collectorPid: number,
  body: () => Promise<void>,
): Promise<{ seconds: number; cpu: Cpu; rssMb: number; threads: [Map<string, number>, Map<string, number>] }> {
  const t0s = threadCpuS(collectorPid);
  const c0 = await procStats(collectorPid);
  const ch0 = clickHouseCpuS();
  const a0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const a1 = process.cpuUsage(a0);
  const ch1 = clickHouseCpuS();
  const c1 = await procStats(collectorPid);
  const t1s = threadCpuS(collectorPid);
  return {
    seconds,
    threads: [t0s, t1s],
    rssMb: c1?.rssMb ?? 0,
    cpu: {
      collector: c0 !== undefined && c1 !== undefined ? (c1.cpuS - c0.cpuS) / seconds : Number.NaN,
      clickhouse: ch0 !== undefined && ch1 !== undefined ? (ch1 - ch0) / seconds : undefined,
      agents: (a1.user + a1.system) / 1e6 / seconds,
    },
  };
}

const pct = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
const cpuLine = (c: Cpu): string => `CPU: collector ${pct(c.collector)}, ClickHouse ${pct(c.clickhouse)}, agents (this process) ${pct(c.agents)} of one core`;

/** Real agents: agent pipelines with a memory queue (their retrying sender), `WINDOW` Export calls open at once. */
async function realAgents(port: number, batches: readonly ExportRequest[][]): Promise<{ retries: number; duplicates: number }> {
  const clients = Array.from({ length: Math.min(AGENTS, CHANNELS) }, () => createExportClient({ address: `127.0.0.1:${port}` }));
  const log = pino({ level: 'error' });
  let retries = 0;
  let duplicates = 0;
  const onOutcome = (o: string): void => {
    retries += o === 'retry' ? 1 : 0;
    duplicates += o === 'duplicate' ? 1 : 0;
  };
  const cfg = resolveAgentConfig({ AGENT_EXPORT_DEADLINE_MS: '30000', AGENT_EXPORT_MAX_INFLIGHT: String(WINDOW) });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const senders = batches.map((list, a) => {
    const channel = clients[a % clients.length];
    if (channel === undefined) throw new Error('no client');
    const p = createAgentPipeline(cfg.config, { log, client: channel, gpuSampler: undefined, memoryQueue: list.length, onOutcome });
    for (const req of list) p.enqueue(req);
    return p.sender;
  });
  const drained = await Promise.all(senders.map((s) => s.drain(600_000)));
  if (drained.includes(false)) throw new Error('not every agent drained within 600 s');
  for (const s of senders) s.stop();
  for (const cl of clients) cl.close();
  return { retries, duplicates };
}

type BenchCollector = { pid: number; port: number; stop(): Promise<void> };

/** Starts the collector; again on a new port when it exits before listening (another process took the free port meanwhile). */
async function startCollector(url: string, database: string): Promise<BenchCollector> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCollectorOnce(url, database);
    } catch (err: unknown) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startCollectorOnce(url: string, database: string): Promise<BenchCollector> {
  const port = await freePort();
  // BENCH_COLLECTOR_CPU_PROF=<dir>: run the bin script's command line under `node --cpu-prof` (not
  // allowed in NODE_OPTIONS); the collector writes a V8 .cpuprofile into <dir> when it stops.
  const profDir = process.env['BENCH_COLLECTOR_CPU_PROF'];
  const collectorDir = join(HERE, '..', '..', 'collector');
  const [cmd, args] =
    profDir === undefined
      ? [join(collectorDir, 'bin', 'renderwatch-collector'), ['serve']]
      : [
          process.execPath,
          [
            '--cpu-prof',
            `--cpu-prof-dir=${profDir}`,
            '--import',
            `file://${join(collectorDir, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')}`,
            join(collectorDir, 'src', 'main.ts'),
            'serve',
          ],
        ];
  const child = spawn(cmd, args, {
    env: {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      COLLECTOR_CLICKHOUSE_URL: url,
      COLLECTOR_CLICKHOUSE_DATABASE: database,
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_HTTP_PORT: '0',
      COLLECTOR_GRPC_PORT: String(port),
      COLLECTOR_LOG_LEVEL: 'warn',
      // Jobs that run every 5 min / hour in service but 1 s / 5 s after a start, i.e. inside every
      // 5-20 s run here (a capacity rollup over gpu_samples while it is being written): not ingest.
      COLLECTOR_CAPACITY_REFRESH_S: '0',
      COLLECTOR_RETENTION_INTERVAL_S: '0',
      // Ingest tuning to try (COLLECTOR_INGEST_LINGER_MS=100 ...) passes through; unset = the defaults.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('COLLECTOR_INGEST_'))),
      // BENCH_COLLECTOR_NODE_OPTIONS (e.g. --max-semi-space-size=64) becomes the collector's NODE_OPTIONS.
      ...(process.env['BENCH_COLLECTOR_NODE_OPTIONS'] === undefined ? {} : { NODE_OPTIONS: process.env['BENCH_COLLECTOR_NODE_OPTIONS'] }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('gRPC')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  return {
    pid: child.pid ?? -1,
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function storedGpuRows(url: string, database: string): Promise<number> {
  const check = createStorage({ url, database, username: 'default', password: '', requestTimeoutMs: DDL_TIMEOUT_MS });
  const [n] = await check.query<{ c: string }>(raw('SELECT count() AS c FROM gpu_samples FINAL'));
  await check.close();
  return Number(n?.c);
}

async function dropDatabase(url: string, database: string): Promise<void> {
  const s = createStorage({ url, database: 'default', username: 'default', password: '', requestTimeoutMs: DDL_TIMEOUT_MS });
  await s.command(raw(`DROP DATABASE IF EXISTS ${database}`));
  await s.close();
}

const med = (xs: number[]): number =>
  xs.length === 0
    ? Number.NaN
    : percentile(
        [...xs].sort((x, y) => x - y),
        50,
      );

async function main(): Promise<void> {
  console.log(machineLine());
  const ch = await benchClickHouse();
  const t0 = Date.now() - (SECONDS + 5) * 1000;
  const batches = Array.from({ length: AGENTS }, (_, a) => agentBatches(a, t0));
  const gpuRows = AGENTS * SECONDS * GPUS;
  console.log(
    `workload: ${AGENTS} agents × ${SECONDS} s × ${GPUS} GPUs = ${gpuRows} GPU rows (+${AGENTS * SECONDS} host rows) in ${batches.flat().length} batches of ${FLUSH_S} s, window ${WINDOW}`,
  );

  const rows = directRows(batches.flat());
  const frames = MODE === 'real' ? [] : batches.map((list) => list.map(grpcFrame));
  // BENCH_INGEST_WARM_AGENTS=<n>: n more agents' backlogs go through each replay/stream collector
  // before the clock starts (other hosts, the same path), so the figures are those of a collector
  // whose code is already compiled; unset, a fresh collector is measured (the headline).
  const warmAgents = Number(process.env['BENCH_INGEST_WARM_AGENTS'] ?? 0);
  const warmFrames = MODE === 'real' ? [] : Array.from({ length: warmAgents }, (_, a) => agentBatches(AGENTS + a, t0).map(grpcFrame));
  const warmRows = warmFrames.length * SECONDS * GPUS;
  if (warmAgents > 0) console.log(`warm-up before each replay/stream run: ${warmAgents} other agents, ${warmRows} GPU rows, not measured`);
  const streamRatios: number[] = [];
  const cpuPerCall: Record<string, number[]> = { replay: [], stream: [], real: [] };
  /** The part of cpuPerCall on the collector's main (event loop) thread; the rest is V8's GC and compiler threads. */
  const mainPerCall: Record<string, number[]> = { replay: [], stream: [], real: [] };
  const replayRatios: number[] = [];
  let realRatio: number | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    // Direct: the same GPU and host rows into a migrated database of their own, 10,000 rows per INSERT.
    const directDb = `bench_direct_${round}`;
    await ensureDatabase({ url: ch.url, database: directDb, username: 'default', password: '' });
    const ds = createStorage({ url: ch.url, database: directDb, username: 'default', password: '', requestTimeoutMs: DDL_TIMEOUT_MS });
    await migrate(ds);
    await ds.close();
    const client = createClient({ url: ch.url, database: directDb, compression: { request: false, response: false } });
    const direct = await measured(-1, async () => {
      for (const [table, list] of [
        ['gpu_samples', rows.gpu],
        ['host_samples', rows.host],
      ] as const) {
        for (let i = 0; i < list.length; i += 10_000) await client.insert({ table, values: list.slice(i, i + 10_000), format: 'JSONEachRow' });
      }
    });
    await client.close();
    await dropDatabase(ch.url, directDb);
    const directRate = gpuRows / direct.seconds;
    console.log(
      `round ${round}/${ROUNDS} (load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')})`,
    );
    console.log(
      `direct insert: ${gpuRows} GPU + ${rows.host.length} host rows in ${direct.seconds.toFixed(2)} s = ${Math.round(directRate)} GPU rows/s (ClickHouse ${pct(direct.cpu.clickhouse)}, client ${pct(direct.cpu.agents)} of one core)`,
    );
    // The real senders once (their own CPU bounds them; see the header), the replay and stream agents every round.
    const every = MODE === 'both' ? ['replay'] : MODE === 'all' ? ['replay', 'stream'] : [MODE];
    const modes = (MODE === 'both' || MODE === 'all') && round === 1 ? [...every, 'real'] : every;
    for (const mode of modes) {
      const db = `bench_collector_${mode}_${round}`;
      const col = await startCollector(ch.url, db);
      let sent = { retries: 0, duplicates: 0 };
      if (mode === 'replay' && warmAgents > 0) await replayAgents(col.port, warmFrames, WINDOW);
      if (mode === 'stream' && warmAgents > 0) await streamAgents(col.port, warmFrames);
      const expected = gpuRows + (mode === 'real' ? 0 : warmRows);
      const run = await measured(col.pid, async () => {
        sent =
          mode === 'replay'
            ? await replayAgents(col.port, frames, WINDOW)
            : mode === 'stream'
              ? await streamAgents(col.port, frames)
              : await realAgents(col.port, batches);
      });
      await col.stop();
      const stored = await storedGpuRows(ch.url, db);
      if (stored !== expected) throw new Error(`collector (${mode} agents) stored ${stored} GPU rows, expected ${expected}`);
      await dropDatabase(ch.url, db); // no background merges of this run's parts under the next one
      const rate = gpuRows / run.seconds;
      if (mode === 'replay') replayRatios.push(rate / directRate);
      else if (mode === 'stream') streamRatios.push(rate / directRate);
      else realRatio = rate / directRate;
      const calls = batches.flat().length + sent.retries;
      const cpuMsPerCall = (run.cpu.collector * run.seconds * 1000) / calls;
      cpuPerCall[mode]?.push(cpuMsPerCall);
      console.log(
        `collector, ${mode} agents: ${gpuRows} GPU rows in ${run.seconds.toFixed(2)} s = ${Math.round(rate)} rows/s = ${(rate / directRate).toFixed(2)}x direct ` +
          `(${sent.retries} retries, ${sent.duplicates} duplicate acks; ${cpuLine(run.cpu)}; collector ${cpuMsPerCall.toFixed(2)} ms CPU per Export call (~${calls}); ` +
          `collector ${run.rssMb.toFixed(0)} MB RSS); stored ${stored} (FINAL) = generated${expected > gpuRows ? ' + warm-up' : ''}`,
      );
      mainPerCall[mode]?.push((((run.threads[1].get('main') ?? 0) - (run.threads[0].get('main') ?? 0)) * 1000) / calls);
      console.log(`  collector CPU per call by thread, ms: ${perThreadLine(run.threads[0], run.threads[1], calls)}`);
    }
  }
  await ch.close();
  if (replayRatios.length > 0) console.log(`replay (unary Export) ratios by round: ${replayRatios.map((x) => x.toFixed(2)).join(', ')}`);
  if (streamRatios.length > 0) console.log(`stream (ExportStream) ratios by round: ${streamRatios.map((x) => x.toFixed(2)).join(', ')}`);
  const perCall = Object.entries(cpuPerCall)
    .filter(([, xs]) => xs.length > 0)
    .map(([m, xs]) => `${m === 'replay' ? 'unary Export' : m === 'stream' ? 'ExportStream' : 'real senders'} ${med(xs).toFixed(3)} ms`);
  const onMain = Object.entries(mainPerCall)
    .filter(([, xs]) => xs.length > 0)
    .map(([m, xs]) => `${m === 'replay' ? 'unary Export' : m === 'stream' ? 'ExportStream' : 'real senders'} ${med(xs).toFixed(3)} ms`);
  console.log(`of which on the collector's main thread (the rest: V8 GC and compiler threads): ${onMain.join(', ')}`);
  console.log(`collector CPU per Export call (${GPUS * FLUSH_S} GPU + ${FLUSH_S} host rows), median of rounds: ${perCall.join(', ')} (target <= 0.15 ms)`);
  const headline = streamRatios.length > 0 ? med(streamRatios) : replayRatios.length > 0 ? med(replayRatios) : (realRatio ?? Number.NaN);
  const path = streamRatios.length > 0 ? 'ExportStream' : replayRatios.length > 0 ? 'unary Export' : 'real senders';
  const beside = streamRatios.length > 0 && replayRatios.length > 0 ? `; unary Export ${med(replayRatios).toFixed(2)}x` : '';
  console.log(`ingest: ${headline.toFixed(2)}x of direct insert (target >= 0.5x) [${path}${beside}]`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
