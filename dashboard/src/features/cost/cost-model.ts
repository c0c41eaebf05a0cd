// Cost arithmetic of the cost page: GPU tiers from the fleet's cards, and "the same work on another
// tier" from the capacity planner's VRAM peaks. Pure; unit-tested beside.
import type { CapacityWorkload, CostGpuModel, FleetResponse } from '@renderwatch/schema';

const GB = 1e9;
/** The capacity planner's fit rule (10% headroom), so both pages agree: features do not import each other. */
const fits = (peak: number | null, tierGb: number): boolean => peak !== null && peak <= tierGb * GB * 0.9;
export const TIERS_GB = [16, 24, 32, 48, 80] as const;

/** The tier of a card: the smallest of 16/24/32/48/80 GB it reaches (decimal GB, a 15.36 GB T4 counts as 16). */
export function tierOf(memoryBytes: number | null): number | null {
  if (memoryBytes === null) return null;
  const gb = memoryBytes / GB;
  return TIERS_GB.find((t) => gb <= t * 1.1) ?? TIERS_GB[TIERS_GB.length - 1] ?? null;
}

/** GPU name → memory tier, from the cards the fleet reports. */
export function tiersByName(fleet: FleetResponse | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of fleet?.hosts ?? []) {
    for (const g of h.gpus) {
      const t = tierOf(g.memory_total_bytes);
      if (t !== null && !m.has(g.name)) m.set(g.name, t);
    }
  }
  return m;
}

export interface TierRow {
  tier: number;
  gpu_hours: number;
  cost: number | null;
  images: number;
}

/** Cost rows summed per memory tier; models without a known tier go under 0. */
export function costByTier(models: readonly CostGpuModel[], tiers: Map<string, number>): TierRow[] {
  const m = new Map<number, TierRow>();
  for (const r of models) {
    const tier = tiers.get(r.gpu_name) ?? 0;
    const row = m.get(tier) ?? { tier, gpu_hours: 0, cost: null, images: 0 };
    row.gpu_hours += r.gpu_hours;
    row.images += r.images;
    if (r.cost !== null) row.cost = (row.cost ?? 0) + r.cost;
    m.set(tier, row);
  }
  return [...m.values()].sort((a, b) => a.tier - b.tier);
}

export interface MoveEstimate {
  /** Jobs of the range whose p99 VRAM peak fits the target tier (they could move). */
  fittingJobs: number;
  jobs: number;
  /** GPU-hours of the fleet × the target's price per GPU-hour: the same hours, billed at the other card's price. */
  cost: number | null;
  /** Today's cost of the same hours. */
  currentCost: number | null;
}

/**
 * "The same work on another tier": the GPU-hours stay (a same-speed assumption the page states),
 * the price is the target card's, and the capacity planner's VRAM peaks say how many jobs fit.
 */
export function moveEstimate(
  models: readonly CostGpuModel[],
  workloads: readonly CapacityWorkload[],
  targetTierGb: number,
  targetPrice: number | null,
): MoveEstimate {
  const hours = models.reduce((a, r) => a + r.gpu_hours, 0);
  const priced = models.filter((r) => r.cost !== null);
  const currentCost = priced.length === 0 ? null : priced.reduce((a, r) => a + (r.cost ?? 0), 0);
  const jobs = workloads.reduce((a, w) => a + w.jobs, 0);
  const fittingJobs = workloads.filter((w) => fits(w.vram_peak_p99_bytes, targetTierGb)).reduce((a, w) => a + w.jobs, 0);
  return { fittingJobs, jobs, cost: targetPrice === null ? null : hours * targetPrice, currentCost };
}
