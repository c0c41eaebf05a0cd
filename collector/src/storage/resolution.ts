// Picks which table answers a time-range query (raw samples, 1-minute or 1-hour rollup) from the
// requested range and step, and enforces the range guards. Pure: tests table-drive it.
import type { Resolution } from '@renderwatch/schema';
import { AppError } from '../errors.js';

export interface RangeRequest {
  from?: string | undefined;
  to?: string | undefined;
  step_s?: number | undefined;
}

export interface RangeLimits {
  /** Longest range accepted, days. */
  maxRangeDays: number;
  /** Most buckets per series. */
  maxPoints: number;
  /** Raw rows older than this are gone (retention), days: older ranges use a rollup. */
  rawRetentionDays: number;
  /** 1-minute rollup retention, days: older ranges use the 1-hour rollup. */
  rollup1mRetentionDays: number;
}

export interface ResolvedRange {
  from: Date;
  to: Date;
  stepS: number;
  resolution: Resolution;
  /** The table of a family at this resolution (gpu: per GPU; gpu_host: GPU aggregates per host). */
  table: (base: 'gpu' | 'gpu_host' | 'host' | 'jobs' | 'jobs_host') => string;
}

const NICE_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const RAW_TABLE = { gpu: 'gpu_samples', gpu_host: 'gpu_samples', host: 'host_samples', jobs: 'runtime_events', jobs_host: 'runtime_events' } as const;

/** Smallest nice step giving at most `points` buckets over the range. */
export function defaultStepFor(rangeS: number, points = 240): number {
  return NICE_STEPS.find((s) => rangeS / s <= points) ?? 86400;
}

/**
 * The end of a range the client left open: the end of the current second. Ranges are half-open and
 * ClickHouse's DateTime holds whole seconds, so ending at "now" itself would leave out what arrived
 * in the current second until the next refresh.
 */
export function defaultRangeEndMs(nowMs: number): number {
  return Math.floor(nowMs / 1000) * 1000 + 1000;
}

/** The range's end in ms: `to` when given, else the end of the current second. */
export function rangeEndMs(q: RangeRequest, nowMs: number): number {
  return q.to === undefined ? defaultRangeEndMs(nowMs) : Date.parse(q.to);
}

export function resolveRange(q: RangeRequest, nowMs: number, limits: RangeLimits, defaultRangeS = 3600): ResolvedRange {
  const to = new Date(rangeEndMs(q, nowMs));
  const from = q.from === undefined ? new Date(to.getTime() - defaultRangeS * 1000) : new Date(q.from);
  const rangeS = (to.getTime() - from.getTime()) / 1000;
  if (!(rangeS > 0)) throw new AppError('COL_ERR_API_BAD_REQUEST', 'from must be before to');
  if (rangeS > limits.maxRangeDays * 86400) {
    throw new AppError('COL_ERR_API_RANGE_TOO_LARGE', `range is ${Math.ceil(rangeS / 86400)} days; the limit is ${limits.maxRangeDays}`);
  }
  let step = q.step_s ?? defaultStepFor(rangeS);
  const ageS = (nowMs - from.getTime()) / 1000;
  let resolution: Resolution = step < 60 ? 'raw' : step < 3600 ? '1m' : '1h';
  if (resolution === 'raw' && ageS > limits.rawRetentionDays * 86400) resolution = '1m';
  if (resolution === '1m' && ageS > limits.rollup1mRetentionDays * 86400) resolution = '1h';
  const unit = resolution === 'raw' ? 1 : resolution === '1m' ? 60 : 3600;
  step = Math.ceil(step / unit) * unit;
  const points = Math.ceil(rangeS / step);
  if (points > limits.maxPoints) {
    throw new AppError('COL_ERR_API_RANGE_TOO_LARGE', `${points} points per series; the limit is ${limits.maxPoints} (raise step_s)`);
  }
  const suffix = resolution === 'raw' ? '' : `_${resolution}`;
  return {
    from,
    to,
    stepS: step,
    resolution,
    table: (base) => (resolution === 'raw' ? RAW_TABLE[base] : `${base}${suffix}`),
  };
}

/**
 * For whole-range aggregates (tiles, rankings): up to 3 h → raw, up to 3 days → 1m, longer → 1h;
 * the range is widened to whole buckets of that resolution and the answer echoes it.
 */
export function resolveWindow(q: RangeRequest, nowMs: number, limits: RangeLimits, defaultRangeS = 3600): ResolvedRange {
  const toMs = rangeEndMs(q, nowMs);
  const fromMs = q.from === undefined ? toMs - defaultRangeS * 1000 : Date.parse(q.from);
  const rangeS = (toMs - fromMs) / 1000;
  const unit = rangeS <= 3 * 3600 ? 1 : rangeS <= 3 * 86400 ? 60 : 3600;
  const f = Math.floor(fromMs / (unit * 1000)) * unit * 1000;
  const t = Math.ceil(toMs / (unit * 1000)) * unit * 1000;
  const stepS = Math.max(unit, Math.ceil((t - f) / 1000 / limits.maxPoints / unit) * unit);
  return resolveRange({ from: new Date(f).toISOString(), to: new Date(t).toISOString(), step_s: stepS }, nowMs, limits, defaultRangeS);
}
