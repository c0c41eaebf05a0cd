// Deterministic Export batches from the simulator's virtual hosts, built offline (no timers), so
// the cluster test can deliver the very same batches to a cluster and to a single node.
import { createBatcher } from '@renderwatch/agent/harness';
import type { ExportRequest } from '@renderwatch/proto';
import { createRng, createVirtualHost, fleetSpecs } from '@renderwatch/simulator';

export interface BatchPlanOptions {
  hosts: number;
  /** Samples per host, one per tickMs. */
  ticks: number;
  tickMs: number;
  /** A batch is cut every this many ticks. */
  ticksPerBatch: number;
  startMs: number;
  seed?: number;
  prefix?: string;
}

/** Rows in a request, as the collector counts them (acceptedRows). */
export function requestRows(r: ExportRequest): number {
  return r.gpuSamples.length + r.hostSamples.length + r.events.length + r.gpuStatus.length;
}

/** Every host's batches, interleaved in time order (host 1 batch 1, host 2 batch 1, ...). */
export function simulatedBatches(o: BatchPlanOptions): ExportRequest[] {
  const specs = fleetSpecs(o.hosts, o.seed ?? 7, o.prefix ?? 'cl-node');
  const rng = createRng(o.seed ?? 7);
  const perHost = specs.map((spec) => {
    const vh = createVirtualHost(spec, createRng(Math.floor(rng() * 2 ** 31)), o.startMs);
    const out: ExportRequest[] = [];
    const b = createBatcher({
      agentId: `cl-${spec.hostname}`,
      host: {
        hostname: spec.hostname,
        driverVersion: spec.driverVersion,
        cudaVersion: '12.8',
        agentVersion: '0.1.0-cluster',
        labels: { group: spec.hot ? 'rack-b' : 'rack-a' },
      },
      firstSeq: 1,
      maxRows: 100_000,
      flushIntervalMs: 3_600_000,
      deliver: (req) => out.push(req),
    });
    for (let t = 1; t <= o.ticks; t++) {
      const tick = vh.step(o.startMs + t * o.tickMs);
      b.addGpus(tick.gpus);
      b.addHost(tick.host);
      for (const e of tick.events) b.addEvent(e);
      if (t % o.ticksPerBatch === 0) b.flush();
    }
    b.flush();
    return out;
  });
  const longest = Math.max(...perHost.map((p) => p.length));
  const all: ExportRequest[] = [];
  for (let i = 0; i < longest; i++) {
    for (const p of perHost) {
      const r = p[i];
      if (r !== undefined) all.push(r);
    }
  }
  return all;
}
