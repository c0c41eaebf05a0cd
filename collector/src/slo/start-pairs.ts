// Pairs runtime_start with the runtime_ready that follows it on the same agent and runtime, and
// turns each start into a timed good/bad outcome for the warm- or cold-start SLI. A start that
// never became ready counts as bad once its threshold has passed.
import type { TimedOutcome } from './evaluate.js';

export interface StartEventRow {
  agent_id: string;
  runtime: string;
  kind: 'runtime_start' | 'runtime_ready';
  ts_ms: number;
  /** runtime_start: true when the models were not cached; null = unknown (counted as warm) */
  cold: boolean | null;
  /** runtime_ready: the runtime's own startup duration, when it states one */
  startup_s: number | null;
}

export interface StartOutcomeOptions {
  cold: boolean;
  thresholdS: number;
  nowMs: number;
}

/** Rows must be ordered by ts_ms; outcomes are timed at ready (or at start + threshold when never ready). */
export function startOutcomes(rows: readonly StartEventRow[], o: StartOutcomeOptions): TimedOutcome[] {
  const open = new Map<string, StartEventRow>();
  const out: TimedOutcome[] = [];
  const take = (start: StartEventRow, durationS: number, atMs: number): void => {
    if ((start.cold ?? false) !== o.cold) return;
    out.push({ tsMs: atMs, good: durationS <= o.thresholdS });
  };
  const closeStale = (start: StartEventRow): void => {
    const deadline = start.ts_ms + o.thresholdS * 1000;
    if (deadline <= o.nowMs) take(start, Number.POSITIVE_INFINITY, deadline);
  };
  for (const r of rows) {
    const key = `${r.agent_id}\u0000${r.runtime}`;
    const prev = open.get(key);
    if (r.kind === 'runtime_start') {
      // a second start without a ready: the first one never became ready
      if (prev !== undefined) closeStale(prev);
      open.set(key, r);
      continue;
    }
    if (prev === undefined) continue;
    open.delete(key);
    const durationS = r.startup_s ?? (r.ts_ms - prev.ts_ms) / 1000;
    take(prev, durationS, r.ts_ms);
  }
  for (const start of open.values()) closeStale(start);
  return out.sort((a, b) => a.tsMs - b.tsMs);
}
