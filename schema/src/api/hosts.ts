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

const column = z.array(z.number().nullable());

/** The fields of GpuSeriesPoint besides `t`, in wire order. */
export const GPU_SERIES_FIELDS = [
  'utilization_ratio',
  'utilization_max_ratio',
  'memory_used_bytes',
  'memory_used_max_bytes',
  'memory_total_bytes',
  'temperature_celsius',
  'temperature_max_celsius',
  'power_draw_watts',
  'sm_clock_mhz',
  'mem_clock_mhz',
  'thermal_share',
  'power_share',
  'hw_slowdown_share',
] as const satisfies readonly (keyof GpuSeriesPoint)[];

/** The fields of HostSeriesPoint besides `t`, in wire order. */
export const HOST_SERIES_FIELDS = [
  'cpu_ratio',
  'memory_used_bytes',
  'disk_read_bytes_per_s',
  'disk_write_bytes_per_s',
  'net_rx_bytes_per_s',
  'net_tx_bytes_per_s',
] as const satisfies readonly (keyof HostSeriesPoint)[];

/**
 * One GPU's series on the wire: one array per field, aligned with the response's `times` (null where
 * the GPU has no value; a bucket where every field is null has no sample). Objects per point
 * repeated every field name: 30 days of an 8-GPU host were 1.1 MB.
 */
export const GpuSeriesColumnsSchema = z.object({
  uuid: z.string(),
  index: z.number(),
  name: z.string(),
  utilization_ratio: column,
  utilization_max_ratio: column,
  memory_used_bytes: column,
  memory_used_max_bytes: column,
  memory_total_bytes: column,
  temperature_celsius: column,
  temperature_max_celsius: column,
  power_draw_watts: column,
  sm_clock_mhz: column,
  mem_clock_mhz: column,
  thermal_share: column,
  power_share: column,
  hw_slowdown_share: column,
});
export type GpuSeriesColumns = z.infer<typeof GpuSeriesColumnsSchema>;

/** The host's own series on the wire, one array per field aligned with `times`. */
export const HostSeriesColumnsSchema = z.object({
  cpu_ratio: column,
  memory_used_bytes: column,
  disk_read_bytes_per_s: column,
  disk_write_bytes_per_s: column,
  net_rx_bytes_per_s: column,
  net_tx_bytes_per_s: column,
});
export type HostSeriesColumns = z.infer<typeof HostSeriesColumnsSchema>;

export const HostSeriesResponseSchema = AnsweredRangeSchema.extend({
  host: z.string(),
  /** Start times (ISO) of the buckets in which the host or one of its GPUs has samples. */
  times: z.array(z.string()),
  gpus: z.array(GpuSeriesColumnsSchema),
  host_series: HostSeriesColumnsSchema,
  throttle_bands: z.array(ThrottleBandSchema),
  /** At most 500 markers, newest kept; `markers_truncated` says when more existed. */
  markers: z.array(EventMarkerSchema),
  markers_truncated: z.boolean(),
  processes: z.array(GpuProcessRowSchema),
});
export type HostSeriesResponse = z.infer<typeof HostSeriesResponseSchema>;

/** Buckets in which any series has a point, sorted (the `times` of a response). Pure. */
export function seriesTimes(gpus: readonly GpuSeries[], hostPoints: readonly HostSeriesPoint[]): string[] {
  const all = new Set<string>();
  for (const g of gpus) for (const p of g.points) all.add(p.t);
  for (const p of hostPoints) all.add(p.t);
  return [...all].sort((a, b) => Date.parse(a) - Date.parse(b));
}

function toColumns<P extends { t: string }, F extends keyof P & string>(
  times: readonly string[],
  points: readonly P[],
  fields: readonly F[],
): Record<F, (number | null)[]> {
  const at = new Map(points.map((p) => [p.t, p]));
  const out = {} as Record<F, (number | null)[]>;
  for (const f of fields)
    out[f] = times.map((t) => {
      const v = at.get(t)?.[f];
      return typeof v === 'number' ? v : null;
    });
  return out;
}

function fromColumns<F extends string>(
  times: readonly string[],
  cols: Record<F, readonly (number | null)[]>,
  fields: readonly F[],
): ({ t: string } & Record<F, number | null>)[] {
  const out: ({ t: string } & Record<F, number | null>)[] = [];
  times.forEach((t, i) => {
    const p = { t } as { t: string } & Record<F, number | null>;
    let any = false;
    for (const f of fields) {
      const v = cols[f][i] ?? null;
      (p as Record<F, number | null>)[f] = v;
      if (v !== null) any = true;
    }
    if (any) out.push(p);
  });
  return out;
}

/** The wire form of the series (one array per field, aligned with `times`). Pure. */
export function toSeriesColumns(
  times: readonly string[],
  gpus: readonly GpuSeries[],
  hostPoints: readonly HostSeriesPoint[],
): { gpus: GpuSeriesColumns[]; host_series: HostSeriesColumns } {
  return {
    gpus: gpus.map((g) => ({ uuid: g.uuid, index: g.index, name: g.name, ...toColumns(times, g.points, GPU_SERIES_FIELDS) })),
    host_series: toColumns(times, hostPoints, HOST_SERIES_FIELDS),
  };
}

/** Back to one object per point, for charts (buckets where a series has no value are left out). Pure. */
export function fromSeriesColumns(r: Pick<HostSeriesResponse, 'times' | 'gpus' | 'host_series'>): { gpus: GpuSeries[]; host_points: HostSeriesPoint[] } {
  return {
    gpus: r.gpus.map((g) => ({ uuid: g.uuid, index: g.index, name: g.name, points: fromColumns(r.times, g, GPU_SERIES_FIELDS) })),
    host_points: fromColumns(r.times, r.host_series, HOST_SERIES_FIELDS),
  };
}
