// Range resolution for fleet-wide queries (every host of the tenant at once). From 15 minutes on,
// they read the 1-minute rollups at least: the rollups are written by materialized views at insert
// time, so they are as fresh as the raw rows, and a fleet-wide hour of raw rows is every GPU's
// samples of the day's partition (the sort key is host first). Shorter windows, and per-host
// queries, keep raw rows. The answer says which resolution was used, as for every range query.
import { defaultStepFor, rangeEndMs, resolveRange, resolveWindow, type RangeLimits, type RangeRequest, type ResolvedRange } from '../storage/resolution.js';

/** Fleet-wide windows at least this long read a rollup, seconds. */
export const FLEET_ROLLUP_MIN_RANGE_S = 900;

function rangeSeconds(q: RangeRequest, nowMs: number, defaultRangeS: number): number {
  const toMs = rangeEndMs(q, nowMs);
  const fromMs = q.from === undefined ? toMs - defaultRangeS * 1000 : Date.parse(q.from);
  return (toMs - fromMs) / 1000;
}

/** resolveRange for a fleet-wide series: from 15 min on, the step is at least a minute (1-minute rollup). */
export function resolveFleetRange(q: RangeRequest, nowMs: number, limits: RangeLimits, defaultRangeS = 3600): ResolvedRange {
  const rangeS = rangeSeconds(q, nowMs, defaultRangeS);
  if (!(rangeS >= FLEET_ROLLUP_MIN_RANGE_S)) return resolveRange(q, nowMs, limits, defaultRangeS);
  return resolveRange({ ...q, step_s: Math.max(60, q.step_s ?? defaultStepFor(rangeS)) }, nowMs, limits, defaultRangeS);
}

/**
 * resolveWindow for a fleet-wide aggregate: windows of 15 min up to 3 h (raw in resolveWindow) are
 * widened to whole minutes and read from the 1-minute rollups; everything else as resolveWindow.
 */
export function resolveFleetWindow(q: RangeRequest, nowMs: number, limits: RangeLimits, defaultRangeS = 3600): ResolvedRange {
  const toMs = rangeEndMs(q, nowMs);
  const fromMs = q.from === undefined ? toMs - defaultRangeS * 1000 : Date.parse(q.from);
  const rangeS = (toMs - fromMs) / 1000;
  if (!(rangeS >= FLEET_ROLLUP_MIN_RANGE_S) || rangeS > 3 * 3600) return resolveWindow(q, nowMs, limits, defaultRangeS);
  const f = Math.floor(fromMs / 60_000) * 60_000;
  const t = Math.ceil(toMs / 60_000) * 60_000;
  const stepS = Math.max(60, Math.ceil((t - f) / 1000 / limits.maxPoints / 60) * 60);
  return resolveRange({ from: new Date(f).toISOString(), to: new Date(t).toISOString(), step_s: stepS }, nowMs, limits, defaultRangeS);
}
