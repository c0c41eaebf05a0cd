import { z } from 'zod';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/cost: GPU-hours, energy and cost per job and per image by GPU model. */
export const CostQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
});
export type CostQuery = z.infer<typeof CostQuerySchema>;

export const CostGpuModelSchema = z.object({
  gpu_name: z.string(),
  gpus: z.number(),
  /** Minutes with at least one sample, per GPU, summed, ÷ 60. */
  gpu_hours: z.number(),
  /** From the NVML energy counter (increase per GPU, counter resets handled); null when no GPU of the model reports it. */
  energy_kwh: z.number().nullable(),
  /** Price per GPU-hour from COLLECTOR_GPU_PRICES; null when no entry matches. */
  price_per_gpu_hour: z.number().nullable(),
  /** gpu_hours × price; null without a price. */
  cost: z.number().nullable(),
  /** Jobs (job_end) and images on GPUs of this model. */
  jobs: z.number(),
  images: z.number(),
  cost_per_job: z.number().nullable(),
  cost_per_image: z.number().nullable(),
});
export type CostGpuModel = z.infer<typeof CostGpuModelSchema>;

export const CostTotalsSchema = z.object({
  gpu_hours: z.number(),
  energy_kwh: z.number().nullable(),
  /** Sum over the priced GPU models; null when none is priced. */
  cost: z.number().nullable(),
  /** GPU-hours of models without a price (not in `cost`). */
  unpriced_gpu_hours: z.number(),
  jobs: z.number(),
  images: z.number(),
  /** Jobs whose GPU is unknown (no gpu_index, or no samples of it) on a host with several GPU models: in `jobs`, in no model row. */
  unattributed_jobs: z.number(),
  unattributed_images: z.number(),
});
export type CostTotals = z.infer<typeof CostTotalsSchema>;

export const CostResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** `1d` when the window holds a whole UTC day (those days come from the daily rollup, the rest hour by hour), else `1h`. */
  resolution: z.enum(['1h', '1d']),
  gpu_models: z.array(CostGpuModelSchema),
  totals: CostTotalsSchema,
});
export type CostResponse = z.infer<typeof CostResponseSchema>;
