// Lines in a known log format that held impossible values (a download of 9 EB, a bar at 100% whose
// count is not its total): every parser session of this process counts them here by runtime, for
// the agent's /metrics (`renderwatch_model_download_parse_errors_total`,
// agent/src/metrics/parse-error-metrics.ts). One agent per process, so per process is per agent;
// ParserSession.parseErrors keeps each session's own count and last reason.
import type { RuntimeName } from '@renderwatch/schema';

const totals = new Map<RuntimeName, number>();

/** One more model-download line with impossible values from this runtime's output. */
export function tallyDownloadParseError(runtime: RuntimeName): void {
  totals.set(runtime, (totals.get(runtime) ?? 0) + 1);
}

/** Counts since the process started, by runtime (read at each /metrics scrape). */
export function downloadParseErrorTotals(): ReadonlyMap<RuntimeName, number> {
  return totals;
}
