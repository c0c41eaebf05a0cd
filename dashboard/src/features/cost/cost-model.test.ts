import type { CapacityWorkload, CostGpuModel } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { costByTier, moveEstimate, tierOf } from './cost-model.js';

const MiB = 1024 * 1024;
const model = (gpu_name: string, gpu_hours: number, price: number | null, images: number): CostGpuModel => ({
  gpu_name,
  gpus: 1,
  gpu_hours,
  energy_kwh: null,
  price_per_gpu_hour: price,
  cost: price === null ? null : gpu_hours * price,
  jobs: images,
  images,
  cost_per_job: null,
  cost_per_image: null,
});
const wl = (jobs: number, p99: number): CapacityWorkload =>
  ({
    model: 'm',
    runtime: 'comfyui',
    width: 1024,
    height: 1024,
    jobs,
    vram_peak_p50_bytes: p99,
    vram_peak_p90_bytes: p99,
    vram_peak_p99_bytes: p99,
    fits_tier_gb: null,
  }) as CapacityWorkload;

describe('cost model', () => {
  it('puts cards in the tier they reach: T4 16, A10G and 4090 24, 5090 32, L40S 48, H100 80', () => {
    expect([15360, 23028, 24564, 32607, 46068, 81559].map((m) => tierOf(m * MiB))).toEqual([16, 24, 24, 32, 48, 80]);
    expect(tierOf(null)).toBeNull();
  });

  it('sums cost per tier: 10 h at $0.69 + 5 h at $0.75 on 24 GB, 2 h at $0.89 on 32 GB', () => {
    const tiers = new Map([
      ['4090', 24],
      ['A10G', 24],
      ['5090', 32],
    ]);
    const rows = costByTier([model('4090', 10, 0.69, 100), model('A10G', 5, 0.75, 40), model('5090', 2, 0.89, 30)], tiers);
    expect(rows.map((r) => [r.tier, r.gpu_hours, Math.round((r.cost ?? 0) * 100) / 100, r.images])).toEqual([
      [24, 15, 10.65, 140],
      [32, 2, 1.78, 30],
    ]);
  });

  it('prices the same hours on another tier and counts the jobs whose p99 peak fits it', () => {
    // 12 GPU-hours cost 10×$1.10 + 2×$2.49 = $15.98 today; at $0.69 they cost $8.28
    const e = moveEstimate([model('L40S', 10, 1.1, 1), model('H100', 2, 2.49, 1)], [wl(70, 20e9), wl(30, 30e9)], 24, 0.69);
    expect(Math.round((e.currentCost ?? 0) * 100) / 100).toBe(15.98);
    expect(Math.round((e.cost ?? 0) * 100) / 100).toBe(8.28);
    // 24 GB usable = 21.6 GB: the 20 GB workload fits, the 30 GB one does not
    expect([e.fittingJobs, e.jobs]).toEqual([70, 100]);
  });
});
