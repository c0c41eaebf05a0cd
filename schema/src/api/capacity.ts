import { z } from 'zod';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/capacity: VRAM needs per model/runtime/resolution, GPU-hours and utilization. */
export const CapacityQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  model: FilterValueSchema.optional(),
  runtime: FilterValueSchema.optional(),
});
export type CapacityQuery = z.infer<typeof CapacityQuerySchema>;

export const CapacityWorkloadSchema = z.object({
  model: z.string(),
  /** The runtime stands in for the workflow (the event contract has no workflow id). */
  runtime: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  jobs: z.number(),
  /** Peak VRAM used on the job's GPU in the buckets the jobs ran in. */
  vram_peak_p50_bytes: z.number().nullable(),
  vram_peak_p90_bytes: z.number().nullable(),
  vram_peak_p99_bytes: z.number().nullable(),
  /** Smallest of 16/24/32/48/80 GB whose 90% holds the p99 peak (10% headroom); null = none does. */
  fits_tier_gb: z.number().nullable(),
});
export type CapacityWorkload = z.infer<typeof CapacityWorkloadSchema>;

export const CapacityGpuModelSchema = z.object({
  gpu_name: z.string(),
  gpus: z.number(),
  gpu_hours: z.number(),
  /** gpu_hours × mean utilization. */
  busy_gpu_hours: z.number(),
  utilization_ratio: z.number().nullable(),
});
export type CapacityGpuModel = z.infer<typeof CapacityGpuModelSchema>;

export const CapacityResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  resolution: z.enum(['raw', '1m', '1h']),
  tiers_gb: z.array(z.number()),
  workloads: z.array(CapacityWorkloadSchema),
  gpu_models: z.array(CapacityGpuModelSchema),
});
export type CapacityResponse = z.infer<typeof CapacityResponseSchema>;
