// The SRE workbook's multi-window, multi-burn-rate pairs (Table 5-8) for a 30-day SLO, and their
// scaling to other SLO windows: window lengths scale with the SLO window (as Pyrra does) and the
// factors stay, so each pair still means "this share of the budget gone in this share of the period".

export type BurnAlertName = 'page_fast' | 'page_slow' | 'ticket';

export interface BurnPair {
  readonly alert: BurnAlertName;
  readonly severity: 'page' | 'ticket';
  /** nominal names for a 30-day SLO (`1h`, `5m` ...), used in labels and series column names */
  readonly longName: string;
  readonly shortName: string;
  readonly longS: number;
  readonly shortS: number;
  readonly factor: number;
  /** share of the budget this pair has consumed when it fires at its factor */
  readonly budgetShare: number;
}

const BASE_PERIOD_S = 30 * 86400;

const BASE_PAIRS: readonly BurnPair[] = [
  { alert: 'page_fast', severity: 'page', longName: '1h', shortName: '5m', longS: 3600, shortS: 300, factor: 14.4, budgetShare: 0.02 },
  { alert: 'page_slow', severity: 'page', longName: '6h', shortName: '30m', longS: 21600, shortS: 1800, factor: 6, budgetShare: 0.05 },
  { alert: 'ticket', severity: 'ticket', longName: '3d', shortName: '6h', longS: 259200, shortS: 21600, factor: 1, budgetShare: 0.1 },
];

/** The burn-rate pairs for an SLO window of `periodS` seconds (windows rounded to whole seconds, at least 60 s). */
export function burnPairs(periodS: number): BurnPair[] {
  const scale = periodS / BASE_PERIOD_S;
  return BASE_PAIRS.map((p) => ({ ...p, longS: Math.max(60, Math.round(p.longS * scale)), shortS: Math.max(60, Math.round(p.shortS * scale)) }));
}

/** Every window the evaluator needs counts for: the pairs' windows and the SLO period, by nominal name. */
export function requiredWindows(periodS: number): { name: string; seconds: number }[] {
  const out = new Map<string, number>();
  for (const p of burnPairs(periodS)) {
    out.set(p.shortName, p.shortS);
    out.set(p.longName, p.longS);
  }
  out.set('period', periodS);
  return [...out].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => a.seconds - b.seconds);
}
