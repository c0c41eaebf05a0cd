// A simulated fleet: N virtual hosts, each a real agent pipeline built by createAgentPipeline (the
// virtual host is its GPU sampler and host source; batcher → spool or memory store → retrying
// sender → gRPC Export) against a real collector, all stepped by one timer. Reused by the demo, e2e tests and benchmarks.
import { join } from 'node:path';
import { createAgentPipeline, type AgentPipeline, type ClientTlsFiles, type GpuSampler, type PipelineConfig } from '@renderwatch/agent';
import { clientCredentialsFromFiles, createExportClient } from '@renderwatch/agent/harness';
import type { RuntimeName } from '@renderwatch/schema';
import type { Logger } from 'pino';
import { GPU_PROFILES } from './gpu-profiles.js';
import { createRng } from './rng.js';
import { createVirtualHost, type VirtualHost, type VirtualHostSpec } from './virtual-host.js';
import { WORKLOADS } from './workloads.js';

const RUNTIMES: readonly RuntimeName[] = ['comfyui', 'comfyui', 'forge', 'a1111', 'sdnext', 'invokeai'];
const GPU_COUNTS = [1, 2, 4, 8, 2, 4];
/** Speed relative to an H100, by profile index (order of GPU_PROFILES). */
const SPEED = [1, 0.6, 0.75, 0.7, 0.45, 0.4, 0.3, 0.15];

/** Deterministic host specs: the same seed gives the same fleet. */
export function fleetSpecs(count: number, seed = 1, prefix = 'gpu-node'): VirtualHostSpec[] {
  const rng = createRng(seed);
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const pi = Math.floor(rng() * GPU_PROFILES.length);
    const profile = GPU_PROFILES[pi] ?? GPU_PROFILES[0];
    if (profile === undefined) throw new Error('no GPU profiles');
    const vram = profile.memory_total_bytes;
    return {
      hostname: `${prefix}-${String(i + 1).padStart(width, '0')}`,
      profile,
      gpuCount: GPU_COUNTS[i % GPU_COUNTS.length] ?? 1,
      runtime: RUNTIMES[Math.floor(rng() * RUNTIMES.length)] ?? 'comfyui',
      hot: i % 6 === 4,
      speed: SPEED[pi] ?? 0.5,
      // Small cards are given SDXL and Flux; Wan needs 40 GB and would only ever OOM there.
      workloads: vram >= 40 * 1024 ** 3 ? WORKLOADS : WORKLOADS.filter((w) => w.family !== 'wan'),
      driverVersion: i % 3 === 0 ? '590.48.01' : '570.124.04',
    };
  });
}

export interface SimulatedFleetOptions {
  hosts: number;
  /** host:port of the collector's gRPC endpoint. */
  address: string;
  token?: string;
  /** Sampling interval, ms (1000 = one sample per GPU per second). */
  intervalMs?: number;
  flushIntervalMs?: number;
  seed?: number;
  prefix?: string;
  log: Logger;
  now?: () => number;
  /** Spool every host's batches under <spoolDir>/<hostname> (fsync off); default: memory only. */
  spoolDir?: string;
  /** TLS to the collector: CA (and client certificate for mTLS) files; default plaintext. */
  tls?: ClientTlsFiles;
  /** These hosts instead of fleetSpecs(hosts, seed, prefix) (the demo's fleet). */
  specs?: readonly VirtualHostSpec[];
}

export interface FleetStats {
  batchesSent: number;
  batchesAcked: number;
  retries: number;
  failed: number;
  rowsAcked: number;
}

export interface SimulatedFleet {
  readonly hosts: readonly VirtualHost[];
  readonly stats: FleetStats;
  start(): void;
  /** Stops sampling, flushes, waits up to `drainMs` for delivery, closes the clients. */
  stop(drainMs?: number): Promise<void>;
}

export function createSimulatedFleet(o: SimulatedFleetOptions): SimulatedFleet {
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 1000;
  const stats: FleetStats = { batchesSent: 0, batchesAcked: 0, retries: 0, failed: 0, rowsAcked: 0 };
  const rng = createRng((o.seed ?? 1) * 7919);
  const specs = o.specs ?? fleetSpecs(o.hosts, o.seed ?? 1, o.prefix);
  const t0 = now();
  const agents: { vh: VirtualHost; pipeline: AgentPipeline }[] = specs.map((spec) => {
    const vh = createVirtualHost(spec, createRng(Math.floor(rng() * 2 ** 31)), t0);
    const client = createExportClient({
      address: o.address,
      ...(o.token === undefined ? {} : { token: o.token }),
      ...(o.tls === undefined ? {} : { credentials: clientCredentialsFromFiles(o.tls) }),
    });
    const log = o.log.child({ host: spec.hostname });
    const cfg: PipelineConfig = {
      agentId: `sim-${spec.hostname}`,
      hostname: spec.hostname,
      AGENT_COLLECTOR_ADDRESS: o.address,
      AGENT_TOKEN: o.token ?? '',
      AGENT_STATE_DIR: join(o.spoolDir ?? '', spec.hostname),
      AGENT_SAMPLE_INTERVAL_MS: intervalMs,
      AGENT_FLUSH_INTERVAL_MS: o.flushIntervalMs ?? 1000,
      AGENT_MAX_BATCH_ROWS: 2000,
      AGENT_EXPORT_DEADLINE_MS: 10_000,
      AGENT_EXPORT_MAX_INFLIGHT: 1,
      AGENT_SPOOL_MAX_BYTES: 64 * 1024 * 1024,
      AGENT_SPOOL_MAX_AGE_S: 24 * 3600,
      AGENT_TLS: 'off',
      AGENT_TLS_CA_FILE: '',
      AGENT_TLS_CERT_FILE: '',
      AGENT_TLS_KEY_FILE: '',
    };
    // One step of the virtual host per tick: the GPU sampler takes it, the host source and the
    // events come from the same step.
    let last: ReturnType<VirtualHost['step']> | undefined;
    let pipeline: AgentPipeline | undefined;
    const gpuSampler: GpuSampler = {
      source: 'simulated',
      sample() {
        last = vh.step(now());
        for (const e of last.events) pipeline?.agent.batcher.addEvent(e);
        return Promise.resolve({ gpus: last.gpus, status: [] });
      },
      close: () => Promise.resolve(),
    };
    pipeline = createAgentPipeline(cfg, {
      log,
      client,
      gpuSampler,
      hostSource: { sample: () => (last === undefined ? Promise.reject(new Error('not stepped yet')) : Promise.resolve(last.host)) },
      ...(o.spoolDir === undefined ? { memoryQueue: 600 } : { spoolFsync: false }),
      driverVersion: spec.driverVersion,
      cudaVersion: '12.8',
      agentVersion: '0.1.0-sim',
      labels: { group: spec.group ?? (spec.hot ? 'rack-b' : 'rack-a') },
      now,
      onCut: () => {
        stats.batchesSent++;
      },
      onOutcome: (outcome, _seq, result) => {
        if (outcome === 'ok' || outcome === 'duplicate') {
          stats.batchesAcked++;
          stats.rowsAcked += result?.status === 'ok' ? result.response.acceptedRows : 0;
        } else if (outcome === 'retry') stats.retries++;
        else stats.failed++;
      },
    });
    return { vh, pipeline };
  });
  let timer: NodeJS.Timeout | undefined;
  function tick(): void {
    for (const a of agents) void a.pipeline.agent.tick();
  }
  return {
    hosts: agents.map((a) => a.vh),
    stats,
    start() {
      tick();
      for (const a of agents) void a.pipeline.start({ sampling: false });
      timer = setInterval(tick, intervalMs);
    },
    async stop(drainMs = 5000) {
      if (timer !== undefined) clearInterval(timer);
      await Promise.all(agents.map((a) => a.pipeline.stop(drainMs)));
    },
  };
}
