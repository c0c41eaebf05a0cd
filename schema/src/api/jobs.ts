import { z } from 'zod';
import { JOB_OUTCOMES, type JobOutcome } from '../events.js';
import { FilterValueSchema, RangeQuerySchema, ResolutionSchema } from './range.js';

/** GET /api/v1/jobs/stats: job outcomes, duration and seconds-per-image percentiles by model and runtime. */
export const JobStatsQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
  model: FilterValueSchema.optional(),
  runtime: FilterValueSchema.optional(),
});
export type JobStatsQuery = z.infer<typeof JobStatsQuerySchema>;

/** One count per job outcome, named as the outcome (`ok`, `oom`, ...): an outcome added to JOB_OUTCOMES is a new field. */
const OUTCOME_COUNTS = Object.fromEntries(JOB_OUTCOMES.map((o) => [o, z.number()])) as Record<JobOutcome, z.ZodNumber>;

export const JobStatsRowSchema = z.object({
  model: z.string(),
  runtime: z.string(),
  jobs: z.number(),
  ...OUTCOME_COUNTS,
  /** ok ÷ all jobs; null without jobs. */
  completion_ratio: z.number().nullable(),
  images: z.number(),
  /** t-digest estimates over the jobs' `duration_s`. */
  duration_p50_s: z.number().nullable(),
  duration_p90_s: z.number().nullable(),
  duration_p99_s: z.number().nullable(),
  /**
   * t-digest estimates over each job's `duration_s ÷ images`, for the jobs that ended ok with images > 0
   * (docs/signals.md "Seconds per image"); null when there is none — and for ranges rolled up only
   * before migration 0028, whose rollup rows hold no such digest.
   */
  seconds_per_image_p50_s: z.number().nullable(),
  seconds_per_image_p90_s: z.number().nullable(),
  seconds_per_image_p99_s: z.number().nullable(),
});
export type JobStatsRow = z.infer<typeof JobStatsRowSchema>;

export const JobStatsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  resolution: ResolutionSchema,
  rows: z.array(JobStatsRowSchema),
});
export type JobStatsResponse = z.infer<typeof JobStatsResponseSchema>;
