// A bounded ingest queue: at most `maxInFlight` batches are written to ClickHouse at once and at
// most `maxQueued` wait behind them. Beyond that the caller is refused at once with
// COL_ERR_INGEST_OVERLOADED (gRPC RESOURCE_EXHAUSTED + retry-after-s), so memory stays bounded
// and the agents' spools absorb the surge instead of the collector's heap.
import { AppError } from '../errors.js';

export interface IngestLimits {
  maxInFlight: number;
  maxQueued: number;
  /** Retry hint sent with the refusal, seconds. */
  retryAfterS: number;
}

export interface IngestLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly inFlight: number;
  readonly queued: number;
}

export function createIngestLimiter(limits: IngestLimits): IngestLimiter {
  let inFlight = 0;
  const waiting: (() => void)[] = [];

  function release(): void {
    const next = waiting.shift();
    if (next === undefined) inFlight--;
    else next(); // the slot passes straight to the next waiter
  }

  return {
    async run(task) {
      if (inFlight >= limits.maxInFlight) {
        if (waiting.length >= limits.maxQueued) {
          throw new AppError('COL_ERR_INGEST_OVERLOADED', `${inFlight} batches in flight and ${waiting.length} queued`, { retryAfterS: limits.retryAfterS });
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        inFlight++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return waiting.length;
    },
  };
}
