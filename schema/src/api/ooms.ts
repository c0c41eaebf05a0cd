import { z } from 'zod';
import { OOM_CAUSES } from '../events.js';
import { CountByKeySchema, FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/ooms: the OOM explorer. */
export const OomQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
  model: FilterValueSchema.optional(),
  cause: z.enum([...OOM_CAUSES]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type OomQuery = z.infer<typeof OomQuerySchema>;

/** One OOM with its numbers and the job context found beside it (never the prompt). */
export const OomRowSchema = z.object({
  ts: z.string(),
  host: z.string(),
  gpu_index: z.number().nullable(),
  runtime: z.string(),
  /** Smallest tier (GB) that holds the GPU's total memory, from the OOM's own total. */
  gpu_tier_gb: z.number().nullable(),
  cause: z.string(),
  cause_rule: z.string(),
  requested_bytes: z.number().nullable(),
  total_bytes: z.number().nullable(),
  free_bytes: z.number().nullable(),
  allocated_bytes: z.number().nullable(),
  reserved_unallocated_bytes: z.number().nullable(),
  other_processes_bytes: z.number().nullable(),
  recovered: z.boolean().nullable(),
  /** From the job that ended with outcome `oom` on the same GPU at the same second, when there is one. */
  job_id: z.string().nullable(),
  model: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  batch: z.number().nullable(),
});
export type OomRow = z.infer<typeof OomRowSchema>;

export const OomAdviceSchema = z.object({ cause: z.string(), what_to_try: z.string() });
export type OomAdvice = z.infer<typeof OomAdviceSchema>;

export const OomResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number(),
  by_cause: z.array(CountByKeySchema),
  by_model: z.array(CountByKeySchema),
  /** Keys like `1024x1024`. */
  by_resolution: z.array(CountByKeySchema),
  by_batch: z.array(CountByKeySchema),
  /** Keys like `24` (GB tier) or `unknown`. */
  by_gpu_tier: z.array(CountByKeySchema),
  events: z.array(OomRowSchema),
  truncated: z.boolean(),
  /** One suggestion per cause present in the result. */
  advice: z.array(OomAdviceSchema),
});
export type OomResponse = z.infer<typeof OomResponseSchema>;
