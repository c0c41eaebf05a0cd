// Tier arithmetic of the capacity planner. A tier "fits" a peak when the peak stays within 90% of
// the tier (10% headroom for the allocator and the desktop/driver), the same rule the API uses.
import type { CapacityWorkload } from '@renderwatch/schema';

/** Decimal GB, the same rule as the collector's `fits_tier_gb` (so the table, the "smallest tier" and the what-if agree). */
const GB = 1e9;
export const HEADROOM = 0.9;

export function usableBytes(tierGb: number): number {
  return tierGb * GB * HEADROOM;
}

/** Smallest tier whose usable memory holds `peak`; null when none does. */
export function smallestFittingTier(peak: number | null, tiers: number[]): number | null {
  if (peak === null) return null;
  return [...tiers].sort((a, b) => a - b).find((t) => peak <= usableBytes(t)) ?? null;
}

/** Headroom left on a tier above the peak, as a share of the tier (negative = does not fit). */
export function headroomShare(peak: number, tierGb: number): number {
  return (tierGb * GB - peak) / (tierGb * GB);
}

export interface WhatIf {
  /** Lower bound of the share of past jobs whose peak fits the tier (from the p50/p90/p99 peaks). */
  atLeastShare: number;
  atLeastJobs: number;
  jobs: number;
  /** Human sentence. */
  text: string;
}

/**
 * "Move workload X to tier Y": how many of its past jobs would have fit. The API gives peak
 * percentiles, not every job, so the answer is a bound: p99 fits → at least 99% of jobs, and so on.
 */
export function whatIf(w: CapacityWorkload, tierGb: number): WhatIf {
  const cap = usableBytes(tierGb);
  const steps: [number | null, number][] = [
    [w.vram_peak_p99_bytes, 0.99],
    [w.vram_peak_p90_bytes, 0.9],
    [w.vram_peak_p50_bytes, 0.5],
  ];
  const hit = steps.find(([p]) => p !== null && p <= cap);
  const share = hit === undefined ? 0 : hit[1];
  const jobs = Math.floor(w.jobs * share);
  const text =
    hit === undefined
      ? `Fewer than half of its ${w.jobs} jobs would have fit in ${tierGb} GB (its median peak needs more than ${Math.round(cap / GB)} GB usable).`
      : `At least ${jobs} of its ${w.jobs} jobs (≥ ${Math.round(share * 100)}%) would have fit in ${tierGb} GB.`;
  return { atLeastShare: share, atLeastJobs: jobs, jobs: w.jobs, text };
}

export function workloadKey(w: CapacityWorkload): string {
  return `${w.model}|${w.runtime}|${w.width ?? ''}x${w.height ?? ''}`;
}

export function workloadLabel(w: CapacityWorkload): string {
  const res = w.width !== null && w.height !== null ? ` @ ${w.width}×${w.height}` : '';
  return `${w.model} (${w.runtime})${res}`;
}
