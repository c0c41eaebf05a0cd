import { z } from 'zod';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/starts: cold and warm start-to-ready distributions per runtime and per host. */
export const StartsQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  runtime: FilterValueSchema.optional(),
  host: FilterValueSchema.optional(),
});
export type StartsQuery = z.infer<typeof StartsQuerySchema>;

/** Start → ready seconds of the starts that became ready; percentiles are nearest-rank over them. */
export const StartDistributionSchema = z.object({
  count: z.number(),
  p50_s: z.number().nullable(),
  p90_s: z.number().nullable(),
  max_s: z.number().nullable(),
});
export type StartDistribution = z.infer<typeof StartDistributionSchema>;

/** A start → ready distribution of `/starts`: also its p99 (nearest rank), which the start SLOs' p99 targets read against. */
export const StartReadyDistributionSchema = StartDistributionSchema.extend({ p99_s: z.number().nullable() });
export type StartReadyDistribution = z.infer<typeof StartReadyDistributionSchema>;

export const StartsGroupSchema = z.object({
  runtime: z.string(),
  /** Starts whose models were not cached (`cold` = 1). */
  cold: StartReadyDistributionSchema,
  /** Starts with `cold` = 0 or unknown (as the start SLOs count them). */
  warm: StartReadyDistributionSchema,
  /** Starts followed by another start, or by nothing up to the end of the lookahead, without a ready. */
  never_ready: z.number(),
});
export type StartsGroup = z.infer<typeof StartsGroupSchema>;

export const StartsHostSchema = StartsGroupSchema.extend({ host: z.string() });
export type StartsHost = z.infer<typeof StartsHostSchema>;

export const StartsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  by_runtime: z.array(StartsGroupSchema),
  /** One row per host and runtime, sorted by host. */
  by_host: z.array(StartsHostSchema),
});
export type StartsResponse = z.infer<typeof StartsResponseSchema>;
