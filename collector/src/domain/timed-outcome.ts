// One event of an SLI, good or bad, at its time: what start pairing (./start-pairs.ts) produces and
// the SLO evaluation (../slo/evaluate.ts) counts.
export interface TimedOutcome {
  tsMs: number;
  good: boolean;
  /** events that stand for several (images); default 1 */
  weight?: number;
}
