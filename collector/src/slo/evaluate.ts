// Pure SLO evaluation: SLI, error budget remaining and burn rates from good/valid counts per
// window. No I/O and no clock: the caller passes counts taken at one instant.
import type { SloStatusValue } from '@renderwatch/schema';
import { burnPairs, requiredWindows, type BurnAlertName } from './windows.js';
import type { TimedOutcome } from '../domain/timed-outcome.js';

export interface Counts {
  good: number;
  valid: number;
}

export interface SloTarget {
  /** ratio 0..1 (the file's percent ÷ 100) */
  objective: number;
  periodS: number;
  minEvents: number;
}

export interface WindowResult {
  name: string;
  seconds: number;
  good: number;
  valid: number;
  burnRate: number | null;
}

export interface PairResult {
  alert: BurnAlertName;
  severity: 'page' | 'ticket';
  longName: string;
  shortName: string;
  factor: number;
  burnLong: number | null;
  burnShort: number | null;
  /** both windows burn faster than the factor and the long window has enough events */
  firing: boolean;
  /** the long window had fewer valid events than min_events */
  guarded: boolean;
}

export interface SloEvaluation {
  good: number;
  valid: number;
  sli: number | null;
  budgetRemaining: number | null;
  periodBurnRate: number | null;
  windows: WindowResult[];
  pairs: PairResult[];
  status: SloStatusValue;
}

/** error ratio ÷ budget; null without events or without budget. */
export function burnRate(c: Counts, objective: number): number | null {
  const budget = 1 - objective;
  if (c.valid <= 0 || budget <= 1e-12) return null;
  return (c.valid - c.good) / c.valid / budget;
}

/** Evaluates one SLO; `countsFor(name, seconds)` gives the good/valid events in that window ending now. */
export function evaluateSlo(t: SloTarget, countsFor: (name: string, seconds: number) => Counts): SloEvaluation {
  const windows: WindowResult[] = requiredWindows(t.periodS).map((w) => {
    const c = countsFor(w.name, w.seconds);
    return { name: w.name, seconds: w.seconds, good: c.good, valid: c.valid, burnRate: burnRate(c, t.objective) };
  });
  const byName = new Map(windows.map((w) => [w.name, w]));
  const period = byName.get('period') ?? { good: 0, valid: 0, burnRate: null };
  const pairs: PairResult[] = burnPairs(t.periodS).map((p) => {
    const long = byName.get(p.longName);
    const short = byName.get(p.shortName);
    const burnLong = long?.burnRate ?? null;
    const burnShort = short?.burnRate ?? null;
    const guarded = (long?.valid ?? 0) < t.minEvents;
    const firing = !guarded && burnLong !== null && burnShort !== null && burnLong > p.factor && burnShort > p.factor;
    return { alert: p.alert, severity: p.severity, longName: p.longName, shortName: p.shortName, factor: p.factor, burnLong, burnShort, firing, guarded };
  });
  const sli = period.valid > 0 ? period.good / period.valid : null;
  const periodBurnRate = period.burnRate;
  const noBudget = 1 - t.objective <= 1e-12;
  let budgetRemaining: number | null = periodBurnRate === null ? null : 1 - periodBurnRate;
  if (noBudget && period.valid > 0) budgetRemaining = period.good >= period.valid ? 1 : 0;
  let status: SloStatusValue = 'ok';
  if (pairs.some((p) => p.firing && p.severity === 'page')) status = 'page';
  else if (pairs.some((p) => p.firing)) status = 'ticket';
  else if (budgetRemaining !== null && (budgetRemaining < 0 || (noBudget && budgetRemaining === 0))) status = 'breached';
  else if (period.valid < t.minEvents) status = 'insufficient_data';
  return { good: period.good, valid: period.valid, sli, budgetRemaining, periodBurnRate, windows, pairs, status };
}

export type { TimedOutcome };

/** Counts good/valid events in (now − seconds, now]: the pure twin of the SQL window counts. */
export function countWindow(events: readonly TimedOutcome[], nowMs: number, seconds: number): Counts {
  const from = nowMs - seconds * 1000;
  let good = 0;
  let valid = 0;
  for (const e of events) {
    if (e.tsMs <= from || e.tsMs > nowMs) continue;
    const w = e.weight ?? 1;
    valid += w;
    if (e.good) good += w;
  }
  return { good, valid };
}
