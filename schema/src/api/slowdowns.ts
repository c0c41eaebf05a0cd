import { z } from 'zod';
import { RangeQuerySchema } from './range.js';

/** GET /api/v1/slowdowns: hosts ranked by their drop in images/min against their own baseline. */
export const SlowdownQuerySchema = RangeQuerySchema.pick({ from: true, to: true }).extend({
  /** Baseline = this many days before `from`. */
  baseline_days: z.coerce.number().int().min(1).max(30).default(7),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
export type SlowdownQuery = z.infer<typeof SlowdownQuerySchema>;

export const SLOWDOWN_REASONS = [
  'thermal_throttle',
  'power_cap',
  'model_cache_misses',
  'other_gpu_processes',
  'slow_disk',
  'slow_network',
  'model_download',
] as const;
export const SlowdownReasonSchema = z.enum(SLOWDOWN_REASONS);
export type SlowdownReason = z.infer<typeof SlowdownReasonSchema>;

/** A measured window (the range) or the host's baseline. */
export const SlowdownWindowSchema = z.object({
  images_per_min: z.number(),
  thermal_share: z.number().nullable(),
  power_share: z.number().nullable(),
  /** Model loads read from disk ÷ all model loads. */
  cache_miss_ratio: z.number().nullable(),
  /** Share of GPU samples with a process on the GPU that is not a known runtime. */
  other_process_share: z.number().nullable(),
  disk_read_bytes_per_s: z.number().nullable(),
  net_rx_bytes_per_s: z.number().nullable(),
  /** model_download events in the window (docs/signals.md "Model downloads"). */
  model_downloads: z.number().optional(),
  /** Seconds spent downloading models (sum of the downloads' durations). */
  model_download_s: z.number().optional(),
  /** Bytes of the downloads that state a size and a duration ÷ their seconds; null without such downloads. */
  model_download_bytes_per_s: z.number().nullable().optional(),
});
export type SlowdownWindow = z.infer<typeof SlowdownWindowSchema>;

export const SlowdownHostSchema = z.object({
  host: z.string(),
  current: SlowdownWindowSchema,
  baseline: SlowdownWindowSchema,
  /** 1 − current ÷ baseline images/min (0.3 = 30% slower); null without a baseline. */
  drop_ratio: z.number().nullable(),
  /** Likely reasons, most telling first, each with a one-line explanation. */
  reasons: z.array(z.object({ reason: SlowdownReasonSchema, detail: z.string() })),
});
export type SlowdownHost = z.infer<typeof SlowdownHostSchema>;

export const SlowdownResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  baseline_from: z.string(),
  baseline_to: z.string(),
  resolution: z.enum(['raw', '1m', '1h']),
  hosts: z.array(SlowdownHostSchema),
});
export type SlowdownResponse = z.infer<typeof SlowdownResponseSchema>;
