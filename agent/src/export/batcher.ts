// Accumulates samples and events into ExportRequests, cut on a timer or when the size bound is
// reached. Each batch gets the next batch_seq. Two ways to keep the open batch:
// - `journal` (the daemon: the disk spool): every sample is appended to the spool as it is taken;
//   events wait only until the end of the current synchronous turn, or until a log source commits
//   the position they came from (`checkpoint`), so events and the offset that produced them reach
//   disk in one write. A cut closes the open batch in the spool (fsync) and calls `onCut`.
// - `deliver` (tests, simulations, memory-only senders): the batch is built in memory and handed over.
import { ExportRequest, type HostIdentity } from '@renderwatch/proto';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { createGpuIncrements } from './gpu-increments.js';
import type { Checkpoint, Spool } from './spool.js';
import { eventToWire, gpuToWire, hostToWire, statusToWire, type HostSnapshotLike, type TimedEvent } from './to-wire.js';
import { NumberInt64Writer } from './wire-writer.js';

export interface BatcherOptions {
  agentId: string;
  host: HostIdentity;
  /** First batch_seq to use; must exceed every seq this agent used before (see nextSeqStart). Ignored with a journal. */
  firstSeq?: number;
  maxRows: number;
  flushIntervalMs: number;
  /** The GPU sampling interval (AGENT_SAMPLE_INTERVAL_MS), for each sample's `interval_ms`; default 1000. */
  sampleIntervalMs?: number;
  /** Memory mode: receives every cut batch. */
  deliver?: (req: ExportRequest) => void;
  /** Journal mode: rows go to this spool as they are taken; batch_seq comes from it. */
  journal?: Pick<Spool, 'appendRows' | 'cut' | 'nextSeq' | 'openRows'>;
  /** Journal mode: a batch was cut (durably spooled). */
  onCut?: (seq: number) => void;
  /** Journal mode: writing to the spool failed (disk full, I/O error); the rows are lost and counted. */
  onJournalError?: (err: unknown, rows: number) => void;
}

export interface Batcher {
  addGpus(gpus: readonly GpuSnapshot[]): void;
  addHost(h: HostSnapshotLike): void;
  /** One sampling tick's GPU and host rows, appended to the spool in one frame (the agent's loop). */
  addSample(gpus: readonly GpuSnapshot[], h: HostSnapshotLike | undefined): void;
  addEvent(e: TimedEvent): void;
  addStatus(s: GpuStatusChange): void;
  /** A log source processed its file up to `at`: persisted together with the events taken so far. */
  checkpoint(key: string, at: Checkpoint): void;
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

const emptyRows = (): ExportRequest => ({ agentId: '', batchSeq: 0, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] });

export function createBatcher(o: BatcherOptions): Batcher {
  const journal = o.journal;
  let seq = o.firstSeq ?? nextSeqStart();
  let host = o.host;
  let timer: NodeJS.Timeout | undefined;
  const increments = createGpuIncrements(o.sampleIntervalMs ?? 1000);
  // Memory mode: the open batch. Journal mode: rows not written yet (events of this turn).
  let cur = emptyRows();
  let rows = journal?.openRows ?? 0;
  let pendingRows = 0;
  let cps: Record<string, Checkpoint> | undefined;
  let writeQueued = false;

  /** Journal mode: appends what is pending (rows and positions) in one frame. */
  function write(): void {
    if (journal === undefined || (pendingRows === 0 && cps === undefined)) return;
    const req = cur;
    const n = pendingRows;
    const positions = cps;
    cur = emptyRows();
    pendingRows = 0;
    cps = undefined;
    const samples = req.gpuSamples.length + req.hostSamples.length;
    try {
      journal.appendRows(ExportRequest.encode(req, new NumberInt64Writer()).finish(), samples, n - samples, positions);
    } catch (err: unknown) {
      rows -= n;
      o.onJournalError?.(err, n);
    }
  }
  function later(): void {
    if (writeQueued) return;
    writeQueued = true;
    queueMicrotask(() => {
      writeQueued = false;
      write();
    });
  }
  function bump(n: number, now: boolean): void {
    rows += n;
    pendingRows += n;
    if (journal !== undefined) {
      if (now) write();
      else later();
    }
    if (rows >= o.maxRows) flush();
  }
  function flush(): void {
    if (journal === undefined) {
      if (rows === 0) return;
      const req = { ...cur, agentId: o.agentId, batchSeq: seq++, host };
      cur = emptyRows();
      rows = 0;
      o.deliver?.(req);
      return;
    }
    write();
    if (journal.openRows === 0) return;
    const s = journal.nextSeq;
    try {
      if (!journal.cut({ ...emptyRows(), agentId: o.agentId, batchSeq: s, host })) return;
    } catch (err: unknown) {
      o.onJournalError?.(err, 0); // the rows stay in the open batch; the next cut tries again
      return;
    }
    rows = journal.openRows;
    o.onCut?.(s);
  }
  return {
    addGpus(gpus) {
      for (const g of gpus) cur.gpuSamples.push(gpuToWire(g, increments(g)));
      bump(gpus.length, true);
    },
    addHost(h) {
      cur.hostSamples.push(hostToWire(h));
      bump(1, true);
    },
    addSample(gpus, h) {
      // one write(2), one encode and one frame for the tick instead of one for the GPUs and one for the host
      for (let i = 0; i < gpus.length; i++) {
        const g = gpus[i] as GpuSnapshot;
        cur.gpuSamples.push(gpuToWire(g, increments(g)));
      }
      if (h !== undefined) cur.hostSamples.push(hostToWire(h));
      const n = gpus.length + (h === undefined ? 0 : 1);
      if (n > 0) bump(n, true);
    },
    addEvent(e) {
      cur.events.push(eventToWire(e));
      bump(1, false);
    },
    addStatus(s) {
      cur.gpuStatus.push(statusToWire(s));
      bump(1, false);
    },
    checkpoint(key, at) {
      if (journal === undefined) return;
      cps = { ...cps, [key]: at };
      write();
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
      return journal?.nextSeq ?? seq;
    },
  };
}
