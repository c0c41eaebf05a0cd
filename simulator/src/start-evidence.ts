// A simulated host's runtime starts labelled the way the agent labels real ones: the simulator
// says what the page cache held (the world), the loads it makes read at the speed that implies
// (the evidence), and the agent's own rule tables (agent/src/signals/cold-warm.ts, through
// StartTracker) decide cold or warm — the simulator never writes a label (docs/signals.md).
import type { TimedEvent } from '@renderwatch/agent';
import { StartTracker } from '@renderwatch/agent/harness';
import type { RuntimeEvent } from '@renderwatch/schema';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Reading safetensors from local NVMe/SATA with an empty page cache, bytes/s. */
export const DISK_BYTES_PER_S: readonly [number, number] = [150e6, 600e6];
/** Reading them back from the page cache, bytes/s. */
export const PAGE_CACHE_BYTES_PER_S: readonly [number, number] = [5 * GiB, 8 * GiB];

/** Seconds to read `bytes` of weights; `r` in [0, 1) picks the speed within the range. */
export function readSeconds(bytes: number, pageCacheWarm: boolean, r: number): number {
  const [lo, hi] = pageCacheWarm ? PAGE_CACHE_BYTES_PER_S : DISK_BYTES_PER_S;
  return Math.round((bytes / (lo + r * (hi - lo))) * 100) / 100;
}

/** The checkpoint read before ready (as A1111/Forge do at start-up), ending at `endMs`. */
export function checkpointLoad(runtime: string, model: string, bytes: number, pageCacheWarm: boolean, endMs: number, r: number): TimedEvent {
  const event: RuntimeEvent = {
    kind: 'model_load',
    runtime,
    model,
    source: 'disk',
    loaded_mb: Math.round(bytes / MiB),
    duration_s: readSeconds(bytes, pageCacheWarm, r),
    mode: 'full',
  };
  return { ts_unix_ms: endMs, event };
}

/** Passes a host's events through one StartTracker: ready/job_end gain their labels, first_image follows the first image. */
export function createStartLabeller(): (events: readonly TimedEvent[]) => TimedEvent[] {
  const tracker = new StartTracker();
  return (events) => {
    const out: TimedEvent[] = [];
    for (const e of events)
      for (const x of tracker.event(e.event, e.ts_unix_ms))
        out.push({ ts_unix_ms: x.ms, event: x.event, ...(e.gpu_index === undefined ? {} : { gpu_index: e.gpu_index }) });
    return out;
  };
}
