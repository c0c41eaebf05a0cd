import { z } from 'zod';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** Groupings `by` asks for beside the GPU models: `campaign` adds the `campaigns` section, `host` the `hosts` section. */
export const COST_GROUPINGS = ['gpu_model', 'campaign', 'host'] as const;

/** GET /api/v1/cost: GPU-hours, energy and cost per job and per image by GPU model (and by campaign with `by=campaign`). */
export const CostQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
  by: z.enum(COST_GROUPINGS).optional(),
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

/** Totals of a range with no GPU time and no jobs (what `?host=` answers for an idle host), or a start to add to. */
export function emptyCostTotals(): CostTotals {
  return { gpu_hours: 0, energy_kwh: null, cost: null, unpriced_gpu_hours: 0, jobs: 0, images: 0, unattributed_jobs: 0, unattributed_images: 0 };
}

/**
 * One campaign's share of the range's GPU time, energy and money (docs/api.md "Cost per campaign"):
 * each GPU sample in the range is shared among the jobs whose window overlaps it on that GPU, in
 * proportion to their overlap and never more than the sample stands for.
 */
export const CostCampaignSchema = z.object({
  id: z.string(),
  /** The user's label; null when grouped implicitly (client id + workflow fingerprint, A1111 batch). */
  label: z.string().nullable(),
  runtime: z.string(),
  hosts: z.array(z.string()),
  /** GPU models its jobs ran on (those with attributed GPU time). */
  gpu_names: z.array(z.string()),
  /** Jobs of the campaign that ended in the range (any outcome; a redone job counts again) and their images. */
  jobs: z.number(),
  images: z.number(),
  /** Of those, jobs with no GPU index on a host with several GPUs: no GPU time attributed to them. */
  unattributed_jobs: z.number(),
  gpu_hours: z.number(),
  /** Null when no attributed sample carried an energy reading. */
  energy_kwh: z.number().nullable(),
  /** GPU-hours × the price of the GPU's model, summed; null when none of its GPU time is priced. */
  cost: z.number().nullable(),
  unpriced_gpu_hours: z.number(),
  cost_per_image: z.number().nullable(),
});
export type CostCampaign = z.infer<typeof CostCampaignSchema>;

/** One host's totals: the same figures as the `totals` of `?host=<host>` over the same range. */
export const CostHostSchema = z.object({
  host: z.string(),
  totals: CostTotalsSchema,
});
export type CostHost = z.infer<typeof CostHostSchema>;

export const CostResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** `1d` when the window holds a whole UTC day (those days come from the daily rollup, the rest hour by hour), else `1h`. */
  resolution: z.enum(['1h', '1d']),
  gpu_models: z.array(CostGpuModelSchema),
  totals: CostTotalsSchema,
  /** With `by=campaign` only: campaigns with a job in the range, most money first (at most 200). */
  campaigns: z.array(CostCampaignSchema).optional(),
  /** With `by=host` only: every host with GPU time or jobs in the range, by name (one request instead of one per host). */
  hosts: z.array(CostHostSchema).optional(),
});
export type CostResponse = z.infer<typeof CostResponseSchema>;
