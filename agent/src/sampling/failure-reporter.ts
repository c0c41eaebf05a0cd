// Counts every sampling failure and logs each key (e.g. one GPU) at most once per interval, so a
// broken GPU or a hung nvidia-smi produces one warning per interval, not one per tick.
import type { Logger } from 'pino';

/** Where failures are counted; the metrics module backs it with `renderwatch_agent_sample_errors_total{source}`. */
export interface SampleErrorCounter {
  inc(source: string): void;
}

export interface FailureReporter {
  /** Counts the failure; logs it unless `key` was logged less than `intervalMs` ago. */
  report(key: string, err: unknown, fields?: Record<string, unknown>): void;
  /** Failures counted so far (all keys). */
  readonly count: number;
}

export interface FailureReporterOptions {
  source: string;
  log?: Logger;
  counter?: SampleErrorCounter;
  intervalMs: number;
  now?: () => number;
  /** Runbook linked from the warning. */
  runbook?: string;
}

export function createFailureReporter(opts: FailureReporterOptions): FailureReporter {
  const now = opts.now ?? Date.now;
  const lastLogged = new Map<string, number>();
  let count = 0;
  return {
    report(key, err, fields = {}) {
      count += 1;
      opts.counter?.inc(opts.source);
      const t = now();
      const last = lastLogged.get(key);
      if (last !== undefined && t - last < opts.intervalMs) return;
      lastLogged.set(key, t);
      opts.log?.warn({ err, key, source: opts.source, failures_total: count, runbook: opts.runbook, ...fields }, 'gpu sample failed');
    },
    get count() {
      return count;
    },
  };
}
