// Per-GPU seconds spent in each clock-event (throttle) reason. From the driver's monotonic
// per-reason µs counters where the snapshot has them (they catch throttling between samples),
// otherwise from the sampled bitmask: the interval since the previous sample is credited to each
// reason active now. Counter resets (driver reload) and lost GPUs never make time go backwards.
import { CLOCK_EVENT_REASONS, decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpuSnapshot } from './sampler.js';

export type ThrottleSeconds = Record<ClockEventReason, number>;

export interface ThrottleAccounting {
  /** Feeds one snapshot (any order of GPUs; one per GPU per tick). */
  update(s: GpuSnapshot): void;
  /** Cumulative seconds per reason for a GPU UUID (zeros when never seen throttling). */
  seconds(uuid: string): ThrottleSeconds;
  /** GPUs seen so far. */
  gpus(): string[];
}

interface GpuState {
  lastTs: number;
  lastCounters: Partial<Record<ClockEventReason, number>>;
  totals: ThrottleSeconds;
}

const zeros = (): ThrottleSeconds => Object.fromEntries(CLOCK_EVENT_REASONS.map((r) => [r, 0])) as ThrottleSeconds;

export interface ThrottleAccountingOptions {
  /** A gap longer than this (ms) between two samples of a GPU is not credited from bitmasks. */
  maxGapMs?: number;
}

export function createThrottleAccounting(opts: ThrottleAccountingOptions = {}): ThrottleAccounting {
  const maxGapMs = opts.maxGapMs ?? 60_000;
  const state = new Map<string, GpuState>();
  return {
    update(s) {
      const key = s.uuid ?? `index:${s.index}`;
      const counters = s.clock_event_reason_counters_us ?? {};
      const prev = state.get(key);
      if (prev === undefined) {
        state.set(key, { lastTs: s.ts_unix_ms, lastCounters: { ...counters }, totals: zeros() });
        return;
      }
      const dtS = (s.ts_unix_ms - prev.lastTs) / 1000;
      const active = new Set(s.clock_event_reasons ?? (s.clock_event_reasons_mask === undefined ? [] : decodeClockEventReasons(s.clock_event_reasons_mask)));
      for (const reason of CLOCK_EVENT_REASONS) {
        const now = counters[reason];
        const before = prev.lastCounters[reason];
        if (now !== undefined && before !== undefined) {
          if (now >= before) prev.totals[reason] += (now - before) / 1e6;
        } else if (active.has(reason) && dtS > 0 && dtS * 1000 <= maxGapMs) {
          prev.totals[reason] += dtS;
        }
      }
      prev.lastTs = s.ts_unix_ms;
      prev.lastCounters = { ...counters };
    },
    seconds(uuid) {
      return { ...(state.get(uuid)?.totals ?? zeros()) };
    },
    gpus: () => [...state.keys()],
  };
}
