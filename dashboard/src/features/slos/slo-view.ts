// How an SLO reads: status tone, objective text, and the burn-rate thresholds of its alert windows.
import type { SloStatus, SloStatusValue } from '@renderwatch/schema';
import { formatDuration, formatPercent } from '../../lib/format.js';

export const STATUS_TONE: Record<SloStatusValue, 'ok' | 'warn' | 'bad' | 'muted'> = {
  ok: 'ok',
  ticket: 'warn',
  page: 'bad',
  breached: 'bad',
  insufficient_data: 'muted',
};

export const STATUS_TEXT: Record<SloStatusValue, string> = {
  ok: 'ok',
  ticket: 'burning (ticket)',
  page: 'burning fast (page)',
  breached: 'budget exhausted',
  insufficient_data: 'too few events',
};

/** Burn-rate thresholds of the multi-window alerts (docs/design.md: 14.4× page, 6× page, 1× ticket). */
export const BURN_THRESHOLDS: Record<string, number> = { '5m': 14.4, '1h': 14.4, '30m': 6, '6h': 6, '3d': 1 };

export function isAtRisk(s: SloStatus): boolean {
  return s.status === 'page' || s.status === 'ticket' || s.status === 'breached';
}

/** "99% within 5 min" / "≥ 99% good". */
export function objectiveText(s: SloStatus): string {
  const pct = formatPercent(s.objective, s.objective * 100 === Math.round(s.objective * 100) ? 0 : 1);
  return s.threshold_s === null ? `≥ ${pct} good` : `${pct} within ${formatDuration(s.threshold_s)}`;
}

/** Remaining budget as a 0..1 bar width (negative budgets draw empty). */
export function budgetBar(remaining: number | null): number {
  return remaining === null ? 0 : Math.max(0, Math.min(1, remaining));
}
