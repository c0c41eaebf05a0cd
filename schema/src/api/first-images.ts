import { z } from 'zod';
import { COLD_LABELS } from '../events.js';
import { StartDistributionSchema, StartsQuerySchema } from './starts.js';

/**
 * GET /api/v1/starts/first-images: time to first image per runtime start (start → the first job
 * that produced an image, split at ready) and per job (queued → image), by cold/warm label, with
 * the rules that chose the labels (docs/signals.md). Distributions are nearest-rank, like /starts.
 */
export const FirstImagesQuerySchema = StartsQuerySchema;
export type FirstImagesQuery = z.infer<typeof FirstImagesQuerySchema>;

export const ColdLabelSchema = z.enum(COLD_LABELS);

export const FirstImagesGroupSchema = z.object({
  runtime: z.string(),
  cold: ColdLabelSchema,
  /** first_image events (one per runtime start that produced an image in the range). */
  starts: z.number(),
  start_to_first_image: StartDistributionSchema,
  start_to_ready: StartDistributionSchema,
  ready_to_first_image: StartDistributionSchema,
  /** queued → image of every job with that label that produced an image (job_end). */
  jobs_queued_to_image: StartDistributionSchema,
});
export type FirstImagesGroup = z.infer<typeof FirstImagesGroupSchema>;

export const FirstImageStartSchema = z.object({
  /** When the first image finished (ISO-8601). */
  ts: z.string(),
  host: z.string(),
  runtime: z.string(),
  job_id: z.string(),
  cold: ColdLabelSchema,
  cold_rule: z.string(),
  start_to_first_image_s: z.number().nullable(),
  start_to_ready_s: z.number().nullable(),
  ready_to_first_image_s: z.number().nullable(),
  queued_to_image_s: z.number().nullable(),
});
export type FirstImageStart = z.infer<typeof FirstImageStartSchema>;

export const FirstImagesResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** One row per runtime and label that has first images or jobs, sorted by runtime then cold, warm, unknown. */
  by_runtime: z.array(FirstImagesGroupSchema),
  /** How many starts each rule labelled, most first. */
  rules: z.array(z.object({ cold: ColdLabelSchema, cold_rule: z.string(), starts: z.number() })),
  /** The newest starts (at most 200), newest first. */
  starts: z.array(FirstImageStartSchema),
});
export type FirstImagesResponse = z.infer<typeof FirstImagesResponseSchema>;
