// Accumulates samples and events into ExportRequests, flushed on a timer or when the size bound is
// reached. Each batch gets the next batch_seq; what happens to it next is the `deliver` callback's
// business (in-order delivery, spool, retries).
import type { ExportRequest, HostIdentity } from '@renderwatch/proto';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { createGpuIncrements } from './gpu-increments.js';
import { eventToWire, gpuToWire, hostToWire, statusToWire, type HostSnapshotLike, type TimedEvent } from './to-wire.js';

export interface BatcherOptions {
  agentId: string;
  host: HostIdentity;
  /** First batch_seq to use; must exceed every seq this agent used before (see nextSeqStart). */
  firstSeq: number;
  maxRows: number;
  flushIntervalMs: number;
  /** The GPU sampling interval (AGENT_SAMPLE_INTERVAL_MS), for each sample's `interval_ms`; default 1000. */
  sampleIntervalMs?: number;
  deliver: (req: ExportRequest) => void;
}

export interface Batcher {
  addGpus(gpus: readonly GpuSnapshot[]): void;
  addHost(h: HostSnapshotLike): void;
  addEvent(e: TimedEvent): void;
  addStatus(s: GpuStatusChange): void;
  /** Cuts the current batch now (no-op when empty). */
  flush(): void;
  setHost(host: HostIdentity): void;
  start(): void;
  stop(): void;
  readonly nextSeq: number;
}

/**
 * A batch_seq start that is larger than any used by a previous run of this agent without any
 * state on disk: milliseconds since the epoch, as long as batches are cut less than once per ms.
 * The spool, when present, supplies its own last seq instead.
 */
export function nextSeqStart(now = Date.now(), lastUsed = 0): number {
  return Math.max(now, lastUsed + 1);
}

export function createBatcher(o: BatcherOptions): Batcher {
  let seq = o.firstSeq;
  let host = o.host;
  let cur: ExportRequest = empty();
  let rows = 0;
  let timer: NodeJS.Timeout | undefined;
  const increments = createGpuIncrements(o.sampleIntervalMs ?? 1000);

  function empty(): ExportRequest {
    return { agentId: o.agentId, batchSeq: 0, host, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] };
  }
  function bump(n: number): void {
    rows += n;
    if (rows >= o.maxRows) flush();
  }
  function flush(): void {
    if (rows === 0) return;
    const req = { ...cur, batchSeq: seq++, host };
    cur = empty();
    rows = 0;
    o.deliver(req);
  }
  return {
    addGpus(gpus) {
      for (const g of gpus) cur.gpuSamples.push(gpuToWire(g, increments(g)));
      bump(gpus.length);
    },
    addHost(h) {
      cur.hostSamples.push(hostToWire(h));
      bump(1);
    },
    addEvent(e) {
      cur.events.push(eventToWire(e));
      bump(1);
    },
    addStatus(s) {
      cur.gpuStatus.push(statusToWire(s));
      bump(1);
    },
    flush,
    setHost(h) {
      host = h;
    },
    start() {
      if (timer !== undefined) return;
      timer = setInterval(flush, o.flushIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      flush();
    },
    get nextSeq() {
      return seq;
    },
  };
}
