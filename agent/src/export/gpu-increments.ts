// Per-GPU increments the collector cannot work out itself: its rollups are filled by materialized
// views that see one insert block at a time (ClickHouse 18.16 has no window functions), so a value
// that needs the previous sample of the same GPU is computed here, where every sample passes in
// order. /api/v1/cost sums them: GPU-hours from `interval_ms`, energy from `energy_delta_joules`.
import type { GpuSnapshot } from '../sampling/sampler.js';

export interface GpuIncrement {
  /** ms this sample stands for: since the GPU's previous sample, at most 3 sampling intervals; the interval on the first. */
  interval_ms: number;
  /** Energy since the previous sample (the new reading after a counter reset); undefined on the first or without a counter. */
  energy_delta_joules?: number;
}

/** Elapsed time counted for one sample, in sampling intervals: a longer gap (agent paused, GPU lost) counts this much. */
const MAX_INTERVALS = 3;

export type GpuIncrements = (g: GpuSnapshot) => GpuIncrement;

export function createGpuIncrements(sampleIntervalMs: number): GpuIncrements {
  const last = new Map<string, { ms: number; energy: number | undefined }>();
  return (g) => {
    const key = g.uuid ?? `index-${g.index}`;
    const prev = last.get(key);
    const energy = g.energy_joules !== undefined && Number.isFinite(g.energy_joules) && g.energy_joules >= 0 ? g.energy_joules : undefined;
    last.set(key, { ms: g.ts_unix_ms, energy });
    if (prev === undefined) return { interval_ms: Math.round(sampleIntervalMs) };
    const elapsed = Math.max(0, Math.min(g.ts_unix_ms - prev.ms, MAX_INTERVALS * sampleIntervalMs));
    const out: GpuIncrement = { interval_ms: Math.round(elapsed) };
    if (energy !== undefined && prev.energy !== undefined) out.energy_delta_joules = energy >= prev.energy ? energy - prev.energy : energy;
    return out;
  };
}
