import { z } from 'zod';
import { FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/versions: runtime versions, extension sets and model hashes per host over time. */
export const VersionsQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  host: FilterValueSchema.optional(),
});
export type VersionsQuery = z.infer<typeof VersionsQuerySchema>;

/**
 * A run of consecutive starts of one runtime on one host with the same version and extension set.
 * `previous_version`, `added` and `removed` compare with the start before the run (also one before
 * `from`, looked up to 30 days back); null when no earlier start is known.
 */
export const VersionPeriodSchema = z.object({
  runtime: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
  first_start: z.string(),
  last_start: z.string(),
  starts: z.number(),
  previous_version: z.string().nullable(),
  added: z.array(z.string()).nullable(),
  removed: z.array(z.string()).nullable(),
});
export type VersionPeriod = z.infer<typeof VersionPeriodSchema>;

/** A model hash seen in model_load events on the host. */
export const ModelHashSeenSchema = z.object({
  model: z.string(),
  model_hash: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
  loads: z.number(),
});
export type ModelHashSeen = z.infer<typeof ModelHashSeenSchema>;

export const VersionsHostSchema = z.object({
  host: z.string(),
  /** Oldest first. */
  timeline: z.array(VersionPeriodSchema),
  /** By model, then first seen. */
  model_hashes: z.array(ModelHashSeenSchema),
});
export type VersionsHost = z.infer<typeof VersionsHostSchema>;

export const VersionsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  hosts: z.array(VersionsHostSchema),
});
export type VersionsResponse = z.infer<typeof VersionsResponseSchema>;
