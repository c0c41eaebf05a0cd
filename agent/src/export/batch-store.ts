// Where batches wait for their ack: the disk spool (spool.ts) or, without one, a bounded memory
// queue. The retrying sender reads the oldest batches from a store and acks them there.
import type { ExportRequest } from '@renderwatch/proto';

export interface StoredBatch {
  readonly seq: number;
  /** The batch, or undefined when it is gone for good (dropped by a limit, or its spool file lost);
   *  a store never hands out such a batch again. Throws on transient read errors (retried). */
  load(): ExportRequest | undefined;
  /** The same batch already encoded (the disk spool has it as bytes: sent without decoding). */
  bytes?(): Uint8Array | undefined;
  /** Samples + events in the batch, when the store knows without loading it. */
  readonly rows?: number;
}

export interface BatchStore {
  /** Up to `n` unacked batches, oldest (lowest batch_seq) first. */
  head(n: number): StoredBatch[];
  /** Removes an acknowledged (or refused) batch; unknown seqs are ignored. */
  ack(seq: number): void;
  readonly size: number;
}

export interface MemoryStore extends BatchStore {
  append(req: ExportRequest): void;
  /** Batches dropped because the queue was full (oldest first). */
  readonly dropped: number;
}

/** A memory-only store holding at most `maxBatches`; beyond that the oldest batch is dropped. */
export function createMemoryStore(maxBatches: number): MemoryStore {
  const queue: ExportRequest[] = [];
  let dropped = 0;
  return {
    append(req) {
      queue.push(req);
      while (queue.length > maxBatches) {
        queue.shift();
        dropped++;
      }
    },
    head(n) {
      return queue.slice(0, n).map((req) => ({
        seq: req.batchSeq,
        rows: req.gpuSamples.length + req.hostSamples.length + req.events.length + req.gpuStatus.length,
        load: () => (queue.includes(req) ? req : undefined),
      }));
    },
    ack(seq) {
      const i = queue.findIndex((r) => r.batchSeq === seq);
      if (i >= 0) queue.splice(i, 1);
    },
    get size() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
  };
}
