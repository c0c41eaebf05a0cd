import { z } from 'zod';

/** Which table answered a time-range query: raw samples, the 1-minute or the 1-hour rollup. */
export const RESOLUTIONS = ['raw', '1m', '1h'] as const;
export const ResolutionSchema = z.enum(RESOLUTIONS);
export type Resolution = z.infer<typeof ResolutionSchema>;

const isoTs = z.iso.datetime({ offset: true });
/** A host name, GPU UUID, model id...: any text (escaped server-side), bounded in length. */
export const FilterValueSchema = z.string().min(1).max(256);

/**
 * Time range shared by every time-based route. `from`/`to` are ISO-8601; the defaults are the last
 * hour ending now. `step_s` is the bucket width; the server rounds it up to what the chosen
 * resolution can answer and says which resolution it used.
 */
export const RangeQuerySchema = z.object({
  from: isoTs.optional(),
  to: isoTs.optional(),
  step_s: z.coerce.number().int().min(1).max(86400).optional(),
});
export type RangeQuery = z.infer<typeof RangeQuerySchema>;

/** Echo of the range actually answered, present in every time-based response. */
export const AnsweredRangeSchema = z.object({
  from: z.string(),
  to: z.string(),
  step_s: z.number(),
  resolution: ResolutionSchema,
});
export type AnsweredRange = z.infer<typeof AnsweredRangeSchema>;

/** `{key, count}` pair of a grouped count. */
export const CountByKeySchema = z.object({ key: z.string(), count: z.number() });
export type CountByKey = z.infer<typeof CountByKeySchema>;

/** GPU memory tiers (GB) capacity planning and the OOM explorer compare against. */
export const GPU_TIERS_GB = [16, 24, 32, 48, 80] as const;
