import { z } from 'zod';
import { AnsweredRangeSchema, RangeQuerySchema } from './range.js';

/** Latest values of one GPU, as `GET /api/v1/fleet` returns them. */
export const FleetGpuSchema = z.object({
  index: z.number().int().nonnegative(),
  uuid: z.string(),
  name: z.string(),
  utilization_ratio: z.number().nullable(),
  memory_used_bytes: z.number().nullable(),
  memory_total_bytes: z.number().nullable(),
  temperature_celsius: z.number().nullable(),
  power_draw_watts: z.number().nullable(),
  clock_event_reasons: z.array(z.string()),
  last_seen: z.string(),
});
export type FleetGpu = z.infer<typeof FleetGpuSchema>;

export const FleetHostSchema = z.object({
  host: z.string(),
  agent_id: z.string(),
  driver_version: z.string(),
  agent_version: z.string(),
  last_seen: z.string(),
  /** true when the host has not reported for longer than the silence threshold. */
  silent: z.boolean(),
  gpus: z.array(FleetGpuSchema),
});
export type FleetHost = z.infer<typeof FleetHostSchema>;

export const FleetResponseSchema = z.object({
  generated_at: z.string(),
  silent_after_s: z.number(),
  hosts: z.array(FleetHostSchema),
});
export type FleetResponse = z.infer<typeof FleetResponseSchema>;

export const TimeseriesQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  host: z.string().max(256).optional(),
  step_s: z.coerce.number().int().min(1).max(86400).optional(),
});
export type TimeseriesQuery = z.infer<typeof TimeseriesQuerySchema>;

/** GET /api/v1/fleet/utilization: a range, optionally one host, and how many per-host rows to return. */
export const UtilizationQuerySchema = TimeseriesQuerySchema.extend({
  hosts_limit: z.coerce.number().int().min(0).max(1000).default(60),
});
export type UtilizationQuery = z.infer<typeof UtilizationQuerySchema>;

/**
 * Fleet utilization over time, compact and bounded: one array per series aligned with `times` (at
 * most the API's max points), and per-host rows only for the first `hosts_limit` hosts by name.
 */
export const UtilizationResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  step_s: z.number(),
  /** Which table answered: raw samples, the 1-minute or the 1-hour rollup. */
  resolution: z.enum(['raw', '1m', '1h']),
  /** Bucket start times (ISO). */
  times: z.array(z.string()),
  /** Per bucket, the mean over reporting hosts of each host's mean GPU utilization (null = no data). */
  utilization_ratio: z.array(z.number().nullable()),
  /** Per bucket, the mean over reporting hosts of each host's mean VRAM used ÷ total. */
  memory_used_ratio: z.array(z.number().nullable()),
  /** Hosts with samples in each bucket. */
  hosts_reporting: z.array(z.number()),
  /** Hosts with samples in the range. */
  hosts_total: z.number(),
  /** Mean GPU utilization per bucket of the first `hosts_limit` hosts by name, aligned with `times`. */
  hosts: z.array(z.object({ host: z.string(), utilization_ratio: z.array(z.number().nullable()) })),
});
export type UtilizationResponse = z.infer<typeof UtilizationResponseSchema>;

/** Error body of every non-2xx API response. */
export const ApiErrorSchema = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** GET /api/v1/fleet/summary: the tiles of the fleet overview over a range. */
export const FleetSummaryQuerySchema = RangeQuerySchema.pick({ from: true, to: true });
export type FleetSummaryQuery = z.infer<typeof FleetSummaryQuerySchema>;

export const FleetSummaryResponseSchema = AnsweredRangeSchema.extend({
  hosts_total: z.number(),
  hosts_up: z.number(),
  hosts_silent: z.number(),
  gpus_total: z.number(),
  /** GPUs whose latest utilization is at least 10%. */
  gpus_busy: z.number(),
  images: z.number(),
  /** Images finished per minute over the range, fleet-wide. */
  images_per_min: z.number(),
  jobs: z.number(),
  jobs_ok: z.number(),
  ooms: z.number(),
  /** Busy samples with a thermal clock-event reason ÷ busy samples, over the range. */
  thermal_throttle_share: z.number().nullable(),
  utilization_ratio: z.number().nullable(),
});
export type FleetSummaryResponse = z.infer<typeof FleetSummaryResponseSchema>;

/** GET /api/v1/fleet/heatmap: mean utilization per host × time bucket. */
export const HeatmapQuerySchema = RangeQuerySchema;
export type HeatmapQuery = z.infer<typeof HeatmapQuerySchema>;

export const HeatmapResponseSchema = AnsweredRangeSchema.extend({
  /** Bucket start times (ISO), the columns. */
  times: z.array(z.string()),
  /** One row per host; `values[i]` is the mean GPU utilization in `times[i]` (null = no data). */
  rows: z.array(z.object({ host: z.string(), values: z.array(z.number().nullable()) })),
});
export type HeatmapResponse = z.infer<typeof HeatmapResponseSchema>;
