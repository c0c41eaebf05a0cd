// Pairs runtime_start with the runtime_ready that follows it on the same agent and runtime, and
// turns each start into a timed good/bad outcome for the warm- or cold-start SLI. A start that
// never became ready counts as bad once its threshold has passed. Shared by the SLO code
// (../slo/sli-query.ts) and the /starts API (../storage/queries/starts.ts).
import type { TimedOutcome } from './timed-outcome.js';

export interface StartEventRow {
  agent_id: string;
  runtime: string;
  kind: 'runtime_start' | 'runtime_ready';
  ts_ms: number;
  /**
   * runtime_ready (agents since migration 0021): the start's label decided by evidence (true cold,
   * false warm, null unknown); runtime_start (older agents): their flag. The ready's label wins when
   * it has one; null = unknown (counted as warm).
   */
  cold: boolean | null;
  /** runtime_ready: the runtime's own startup duration, when it states one */
  startup_s: number | null;
}

export interface StartOutcomeOptions {
  cold: boolean;
  thresholdS: number;
  nowMs: number;
}

/** A start and what became of it: ready (with its duration), superseded by another start, or still open. */
export type StartPair<T extends StartEventRow> =
  | { readonly start: T; readonly state: 'ready'; readonly durationS: number; readonly readyMs: number; readonly ready: T }
  | { readonly start: T; readonly state: 'superseded' | 'open' };

/**
 * Rows must be ordered by ts_ms. Each start pairs with the next ready of its agent and runtime; the
 * runtime's own startup_s wins over the gap. A second start before a ready supersedes the first (it
 * never became ready). Pairs come out as they close; the starts still open at the end come last. Pure.
 */
export function pairStartEvents<T extends StartEventRow>(rows: readonly T[]): StartPair<T>[] {
  const open = new Map<string, T>();
  const out: StartPair<T>[] = [];
  for (const r of rows) {
    const key = `${r.agent_id}\u0000${r.runtime}`;
    const prev = open.get(key);
    if (r.kind === 'runtime_start') {
      if (prev !== undefined) out.push({ start: prev, state: 'superseded' });
      open.set(key, r);
      continue;
    }
    if (prev === undefined) continue;
    open.delete(key);
    out.push({ start: prev, state: 'ready', durationS: r.startup_s ?? (r.ts_ms - prev.ts_ms) / 1000, readyMs: r.ts_ms, ready: r });
  }
  for (const start of open.values()) out.push({ start, state: 'open' });
  return out;
}

/** A start's cold flag: the ready's evidence-based label when it has one, else the start's own flag (null: unknown). */
export function pairCold(p: StartPair<StartEventRow>): boolean | null {
  return (p.state === 'ready' ? p.ready.cold : null) ?? p.start.cold;
}

/** Rows must be ordered by ts_ms; outcomes are timed at ready (or at start + threshold when never ready). */
export function startOutcomes(rows: readonly StartEventRow[], o: StartOutcomeOptions): TimedOutcome[] {
  const out: TimedOutcome[] = [];
  for (const p of pairStartEvents(rows)) {
    if ((pairCold(p) ?? false) !== o.cold) continue;
    if (p.state === 'ready') {
      out.push({ tsMs: p.readyMs, good: p.durationS <= o.thresholdS });
      continue;
    }
    // Never became ready (superseded, or still open): bad once its threshold has passed.
    const deadline = p.start.ts_ms + o.thresholdS * 1000;
    if (deadline <= o.nowMs) out.push({ tsMs: deadline, good: false });
  }
  return out.sort((a, b) => a.tsMs - b.tsMs);
}
