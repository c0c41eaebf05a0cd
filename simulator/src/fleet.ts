// A simulated fleet: N virtual hosts, each a real agent pipeline (batcher → spool or memory store →
// retrying sender → gRPC Export) against a real collector. Reused by the demo, e2e tests and benchmarks.
import { join } from 'node:path';
import {
  clientCredentialsFromFiles,
  createBatcher,
  createExportClient,
  createMemoryStore,
  createRetryingSender,
  nextSeqStart,
  openSpool,
  type Batcher,
  type ClientTlsFiles,
  type ExportClient,
  type MemoryStore,
  type RetryingSender,
  type Spool,
} from '@renderwatch/agent';
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
  const agents: { vh: VirtualHost; batcher: Batcher; sender: RetryingSender; client: ExportClient }[] = specs.map((spec) => {
    const vh = createVirtualHost(spec, createRng(Math.floor(rng() * 2 ** 31)), t0);
    const client = createExportClient({
      address: o.address,
      ...(o.token === undefined ? {} : { token: o.token }),
      ...(o.tls === undefined ? {} : { credentials: clientCredentialsFromFiles(o.tls) }),
    });
    const log = o.log.child({ host: spec.hostname });
    const store: Spool | MemoryStore =
      o.spoolDir === undefined
        ? createMemoryStore(600)
        : openSpool({ dir: join(o.spoolDir, spec.hostname), maxBytes: 64 * 1024 * 1024, maxAgeMs: 24 * 3600_000, log, fsync: false });
    const sender = createRetryingSender({
      client,
      store,
      log,
      deadlineMs: 10_000,
      onOutcome: (outcome, _seq, result) => {
        if (outcome === 'ok' || outcome === 'duplicate') {
          stats.batchesAcked++;
          stats.rowsAcked += result?.status === 'ok' ? result.response.acceptedRows : 0;
        } else if (outcome === 'retry') stats.retries++;
        else stats.failed++;
      },
    });
    const batcher = createBatcher({
      agentId: `sim-${spec.hostname}`,
      host: {
        hostname: spec.hostname,
        driverVersion: spec.driverVersion,
        cudaVersion: '12.8',
        agentVersion: '0.1.0-sim',
        labels: { group: spec.group ?? (spec.hot ? 'rack-b' : 'rack-a') },
      },
      firstSeq: 'nextSeq' in store ? store.nextSeq : nextSeqStart(t0),
      maxRows: 2000,
      flushIntervalMs: o.flushIntervalMs ?? 1000,
      sampleIntervalMs: intervalMs,
      deliver: (req) => {
        stats.batchesSent++;
        store.append(req);
        sender.kick();
      },
    });
    sender.kick(); // batches left in a spool by an earlier run
    return { vh, batcher, sender, client };
  });
  let timer: NodeJS.Timeout | undefined;
  function tick(): void {
    const t = now();
    for (const a of agents) {
      const r = a.vh.step(t);
      a.batcher.addGpus(r.gpus);
      a.batcher.addHost(r.host);
      for (const e of r.events) a.batcher.addEvent(e);
    }
  }
  return {
    hosts: agents.map((a) => a.vh),
    stats,
    start() {
      tick();
      for (const a of agents) a.batcher.start();
      timer = setInterval(tick, intervalMs);
    },
    async stop(drainMs = 5000) {
      if (timer !== undefined) clearInterval(timer);
      for (const a of agents) a.batcher.stop();
      await Promise.all(agents.map((a) => a.sender.drain(drainMs)));
      for (const a of agents) {
        a.sender.stop();
        a.client.close();
      }
    },
  };
}
