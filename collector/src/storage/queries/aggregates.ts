// The same aggregates over raw rows or over a rollup's -State columns, so every query is written
// once and read from whichever table the resolution picks.
import { JOB_OUTCOMES, type JobOutcome, type Resolution } from '@renderwatch/schema';
import { raw, type SqlFragment } from '../sql.js';

const BUSY = 'ifNull(util_ratio >= 0.1, 0)';
const bits = (mask: number): string => `bitAnd(ifNull(clock_event_reasons, 0), ${mask}) != 0`;

const GPU_RAW = {
  samples: 'count()',
  minutes: 'uniqExact(toStartOfMinute(ts))',
  util_avg: 'avg(util_ratio)',
  util_max: 'max(util_ratio)',
  mem_used_avg: 'avg(mem_used_bytes)',
  mem_used_max: 'max(mem_used_bytes)',
  mem_total_max: 'max(mem_total_bytes)',
  temp_avg: 'avg(temp_celsius)',
  temp_max: 'max(temp_celsius)',
  power_avg: 'avg(power_draw_watts)',
  sm_clock_avg: 'avg(sm_clock_mhz)',
  mem_clock_avg: 'avg(mem_clock_mhz)',
  busy_samples: `countIf(${BUSY})`,
  thermal_samples: `countIf(${bits(96)})`,
  thermal_busy_samples: `countIf(${BUSY} AND ${bits(96)})`,
  power_samples: `countIf(${bits(132)})`,
  power_busy_samples: `countIf(${BUSY} AND ${bits(132)})`,
  hw_slowdown_samples: `countIf(${bits(8)})`,
  other_process_samples: "countIf(arrayExists(r -> r = '', process_runtimes))",
} as const;

export type GpuAgg = keyof typeof GPU_RAW;

const GPU_MERGE: Record<GpuAgg, string> = {
  samples: 'countMerge(samples)',
  minutes: 'uniqExactMerge(minutes)',
  util_avg: 'avgMerge(util_avg)',
  util_max: 'maxMerge(util_max)',
  mem_used_avg: 'avgMerge(mem_used_avg)',
  mem_used_max: 'maxMerge(mem_used_max)',
  mem_total_max: 'maxMerge(mem_total_max)',
  temp_avg: 'avgMerge(temp_avg)',
  temp_max: 'maxMerge(temp_max)',
  power_avg: 'avgMerge(power_avg)',
  sm_clock_avg: 'avgMerge(sm_clock_avg)',
  mem_clock_avg: 'avgMerge(mem_clock_avg)',
  busy_samples: 'countIfMerge(busy_samples)',
  thermal_samples: 'countIfMerge(thermal_samples)',
  thermal_busy_samples: 'countIfMerge(thermal_busy_samples)',
  power_samples: 'countIfMerge(power_samples)',
  power_busy_samples: 'countIfMerge(power_busy_samples)',
  hw_slowdown_samples: 'countIfMerge(hw_slowdown_samples)',
  other_process_samples: 'countIfMerge(other_process_samples)',
};

/** `expr AS name` for each GPU aggregate, at the given resolution. */
export function gpuAggs(res: Resolution, names: readonly GpuAgg[]): SqlFragment {
  const src = res === 'raw' ? GPU_RAW : GPU_MERGE;
  return raw(names.map((n) => `${src[n]} AS ${n}`).join(', '));
}

/** One GPU aggregate expression without an alias. */
export function gpuExpr(res: Resolution, name: GpuAgg): SqlFragment {
  return raw((res === 'raw' ? GPU_RAW : GPU_MERGE)[name]);
}

const HOST_RAW = {
  cpu_avg: 'avg(cpu_ratio)',
  mem_used_avg: 'avg(mem_used_bytes)',
  disk_read_avg: 'avg(disk_read_bytes_per_s)',
  disk_write_avg: 'avg(disk_write_bytes_per_s)',
  net_rx_avg: 'avg(net_rx_bytes_per_s)',
  net_tx_avg: 'avg(net_tx_bytes_per_s)',
} as const;
export type HostAgg = keyof typeof HOST_RAW;

export function hostAggs(res: Resolution, names: readonly HostAgg[]): SqlFragment {
  return raw(names.map((n) => (res === 'raw' ? `${HOST_RAW[n]} AS ${n}` : `avgMerge(${n}) AS ${n}`)).join(', '));
}

const JOB = "kind = 'job_end'";

/**
 * The count column of each job outcome, in the raw answers and in the job rollups (migrations 0002,
 * 0006, 0008, 0027). Every JobOutcome must have one: an outcome added to the schema fails to compile
 * here until it gets its column — and then aggregates-outcomes.int.test.ts fails until a migration
 * adds that column to every job rollup and its materialized view.
 */
export const JOB_OUTCOME_COLUMNS = {
  ok: 'jobs_ok',
  oom: 'jobs_oom',
  error: 'jobs_error',
  interrupted: 'jobs_interrupted',
} as const satisfies Record<JobOutcome, `jobs_${string}`>;
export type JobOutcomeColumn = (typeof JOB_OUTCOME_COLUMNS)[JobOutcome];

/** One expression per outcome column, in JOB_OUTCOMES order. */
const perOutcome = (expr: (o: JobOutcome, col: JobOutcomeColumn) => string): Record<JobOutcomeColumn, string> =>
  Object.fromEntries(JOB_OUTCOMES.map((o) => [JOB_OUTCOME_COLUMNS[o], expr(o, JOB_OUTCOME_COLUMNS[o])])) as Record<JobOutcomeColumn, string>;

const JOBS_RAW = {
  jobs: `countIf(${JOB})`,
  ...perOutcome((o) => `countIf(${JOB} AND outcome = '${o}')`),
  images: `sumIf(toUInt64(ifNull(images, 0)), ${JOB})`,
  duration_q: `quantilesTDigestIf(0.5, 0.9, 0.99)(ifNull(duration_s, 0), ${JOB} AND isNotNull(duration_s))`,
  ooms: "countIf(kind = 'oom')",
  model_loads: "countIf(kind = 'model_load')",
  model_loads_disk: "countIf(kind = 'model_load' AND source = 'disk')",
} as const;
export type JobAgg = keyof typeof JOBS_RAW;

const JOBS_MERGE: Record<JobAgg, string> = {
  jobs: 'countIfMerge(jobs)',
  ...perOutcome((_o, col) => `countIfMerge(${col})`),
  images: 'sumIfMerge(images)',
  duration_q: 'quantilesTDigestIfMerge(0.5, 0.9, 0.99)(duration_q)',
  ooms: 'countIfMerge(ooms)',
  model_loads: 'countIfMerge(model_loads)',
  model_loads_disk: 'countIfMerge(model_loads_disk)',
};

export function jobAggs(res: Resolution, names: readonly JobAgg[]): SqlFragment {
  const src = res === 'raw' ? JOBS_RAW : JOBS_MERGE;
  return raw(names.map((n) => `${src[n]} AS ${n}`).join(', '));
}

/**
 * Seconds per image (docs/signals.md "Seconds per image"): each job's duration_s ÷ images, over the
 * jobs that ended ok with images > 0. The same rule as the views of migration 0028, which roll it up
 * into jobs_per_image_1m/1h and jobs_model_per_image_1m/1h (their WHERE is this condition). Read in a
 * query of its own: a SELECT that names a sum `images` reads `images` everywhere as that sum.
 */
export const PER_IMAGE_JOB = "kind = 'job_end' AND outcome = 'ok' AND ifNull(images, 0) > 0 AND isNotNull(duration_s)";
const PER_IMAGE = 'ifNull(duration_s, 0) / greatest(toUInt64(ifNull(images, 0)), 1)';

/** p50/p90/p99 seconds per image as `seconds_per_image_q`, from raw events or a per-image rollup. */
export function perImageAgg(res: Resolution): SqlFragment {
  return raw(
    res === 'raw'
      ? `quantilesTDigestIf(0.5, 0.9, 0.99)(${PER_IMAGE}, ${PER_IMAGE_JOB}) AS seconds_per_image_q`
      : 'quantilesTDigestMerge(0.5, 0.9, 0.99)(seconds_per_image_q) AS seconds_per_image_q',
  );
}

/** The time column of a table at a resolution: raw tables have `ts`, rollups `t`. */
export function timeCol(res: Resolution): SqlFragment {
  return raw(res === 'raw' ? 'ts' : 't');
}

/** For raw runtime_events: only the kinds the job rollups hold (keeps raw and rollup answers equal). */
export function jobKindsFilter(res: Resolution): SqlFragment {
  return raw(res === 'raw' ? "kind IN ('job_end', 'oom', 'model_load')" : '1');
}

/** `toDateTime(intDiv(toUInt32(col), step) * step, 'UTC')` as a bucket expression. */
export function bucket(res: Resolution, stepS: number): SqlFragment {
  const col = res === 'raw' ? 'ts' : 't';
  return raw(`toDateTime(intDiv(toUInt32(${col}), ${Math.trunc(stepS)}) * ${Math.trunc(stepS)}, 'UTC')`);
}

export const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
