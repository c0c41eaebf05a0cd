import { z } from 'zod';
import { RUNTIME_EVENT_KINDS } from '../events.js';
import { AnsweredRangeSchema, FilterValueSchema, RangeQuerySchema } from './range.js';

/** GET /api/v1/hosts/:host/series query: a range and optionally one GPU. */
export const HostSeriesQuerySchema = RangeQuerySchema.extend({ gpu_uuid: FilterValueSchema.optional() });
export type HostSeriesQuery = z.infer<typeof HostSeriesQuerySchema>;

export const HostParamsSchema = z.object({ host: FilterValueSchema });
export type HostParams = z.infer<typeof HostParamsSchema>;

/** One bucket of one GPU. Means over the bucket unless the name says max; null = no data. */
export const GpuSeriesPointSchema = z.object({
  t: z.string(),
  utilization_ratio: z.number().nullable(),
  utilization_max_ratio: z.number().nullable(),
  memory_used_bytes: z.number().nullable(),
  memory_used_max_bytes: z.number().nullable(),
  memory_total_bytes: z.number().nullable(),
  temperature_celsius: z.number().nullable(),
  temperature_max_celsius: z.number().nullable(),
  power_draw_watts: z.number().nullable(),
  sm_clock_mhz: z.number().nullable(),
  mem_clock_mhz: z.number().nullable(),
  /** Share of samples in the bucket with a thermal / power-cap / hw-slowdown clock-event reason. */
  thermal_share: z.number().nullable(),
  power_share: z.number().nullable(),
  hw_slowdown_share: z.number().nullable(),
});
export type GpuSeriesPoint = z.infer<typeof GpuSeriesPointSchema>;

export const GpuSeriesSchema = z.object({
  uuid: z.string(),
  index: z.number(),
  name: z.string(),
  points: z.array(GpuSeriesPointSchema),
});
export type GpuSeries = z.infer<typeof GpuSeriesSchema>;

export const THROTTLE_BAND_REASONS = ['thermal', 'power', 'hw_slowdown'] as const;
/** A run of consecutive buckets in which a throttle reason was active (for shaded bands). */
export const ThrottleBandSchema = z.object({
  gpu_uuid: z.string(),
  reason: z.enum(THROTTLE_BAND_REASONS),
  from: z.string(),
  to: z.string(),
  /** Highest share of samples with the reason in any bucket of the band. */
  peak_share: z.number(),
});
export type ThrottleBand = z.infer<typeof ThrottleBandSchema>;

/** A runtime event drawn as a marker on the time series. */
export const EventMarkerSchema = z.object({
  ts: z.string(),
  kind: z.enum(RUNTIME_EVENT_KINDS),
  runtime: z.string(),
  gpu_index: z.number().nullable(),
  /** One-line description built from the event's fields (never a prompt). */
  label: z.string(),
});
export type EventMarker = z.infer<typeof EventMarkerSchema>;

/** Latest per-GPU process list of the host. */
export const GpuProcessRowSchema = z.object({
  gpu_uuid: z.string(),
  gpu_index: z.number(),
  pid: z.number(),
  name: z.string(),
  runtime: z.string(),
  used_memory_bytes: z.number(),
});
export type GpuProcessRow = z.infer<typeof GpuProcessRowSchema>;

export const HostSeriesPointSchema = z.object({
  t: z.string(),
  cpu_ratio: z.number().nullable(),
  memory_used_bytes: z.number().nullable(),
  disk_read_bytes_per_s: z.number().nullable(),
  disk_write_bytes_per_s: z.number().nullable(),
  net_rx_bytes_per_s: z.number().nullable(),
  net_tx_bytes_per_s: z.number().nullable(),
});
export type HostSeriesPoint = z.infer<typeof HostSeriesPointSchema>;

export const HostSeriesResponseSchema = AnsweredRangeSchema.extend({
  host: z.string(),
  gpus: z.array(GpuSeriesSchema),
  host_points: z.array(HostSeriesPointSchema),
  throttle_bands: z.array(ThrottleBandSchema),
  /** At most 500 markers, newest kept; `markers_truncated` says when more existed. */
  markers: z.array(EventMarkerSchema),
  markers_truncated: z.boolean(),
  processes: z.array(GpuProcessRowSchema),
});
export type HostSeriesResponse = z.infer<typeof HostSeriesResponseSchema>;
