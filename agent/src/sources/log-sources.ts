// Runtime log followers named by AGENT_RUNTIME_LOGS (parsed and checked in config.ts: a bad entry
// is a configuration error reported at start), as the daemon's event sources. Each also tells how
// many lines it refused (impossible values; runtime-log-source.ts parseErrors) and how many it could
// not read (binary, NUL runs, invalid UTF-8, over-long lines; unreadableLines), which /metrics serves
// as renderwatch_model_download_parse_errors_total and renderwatch_runtime_log_unreadable_lines_total
// (metrics/parse-error-metrics.ts).
import { join } from 'node:path';
import type { RuntimeName } from '@renderwatch/schema';
import type { Logger } from 'pino';
import type { EventSource } from '../agent.js';
import type { RuntimeLog } from '../config.js';
import { createRuntimeLogSource } from '../runtime-logs/runtime-log-source.js';
import { HISTORY_OWNED_KINDS } from './comfyui-pairing.js';

/**
 * How often the daemon reads a runtime log for new lines. Each wake-up costs more than the lines it
 * reads (bench/README.md "Ninth session": the daemon's CPU is mostly code run cold a few times a
 * second); 1 s instead of 500 ms costs the agent ~6 % less CPU and delays a log event by at most
 * 0.5 s more, against a 5 s end-to-end target.
 */
export const DAEMON_LOG_POLL_MS = 1000;

/** A runtime log follower as an event source, with its count of refused lines. */
export interface LogSource extends EventSource {
  readonly runtime: RuntimeName;
  /** Lines in a known format with impossible values skipped since the daemon started (across stop/start). */
  parseErrors(): number;
  /** Lines that were not text the parsers could read, skipped and counted since the daemon started (across stop/start). */
  unreadableLines(): number;
}

/**
 * `jobsFromApi`: the path of a ComfyUI log paired with its API (sources/comfyui-pairing.ts): its
 * job and node-cache events are left to /history.
 */
export function buildLogSources(logs: readonly RuntimeLog[], stateDir: string, log: Logger, now: () => number = Date.now, jobsFromApi?: string): LogSource[] {
  return logs.map(({ runtime, path }): LogSource => {
    const leaveJobs = runtime === 'comfyui' && path === jobsFromApi;
    let follower: ReturnType<typeof createRuntimeLogSource> | undefined;
    // Counts of followers stopped before (a stop/start makes a new follower, counting from 0).
    let before = 0;
    let unreadableBefore = 0;
    return {
      runtime,
      parseErrors: () => before + (follower?.parseErrors() ?? 0),
      unreadableLines: () => unreadableBefore + (follower?.unreadableLines() ?? 0),
      start(emit, offsets) {
        follower = createRuntimeLogSource({
          runtime,
          path,
          stateDir: join(stateDir, 'logs'),
          pollMs: DAEMON_LOG_POLL_MS,
          log: log.child({ module: 'runtime-logs', runtime }),
          onEvent: (e) => {
            if (!(leaveJobs && HISTORY_OWNED_KINDS.has(e.kind))) emit(e, now());
          },
          ...(offsets === undefined ? {} : { offsets }),
        });
        follower.start();
      },
      stop() {
        follower?.stop();
        before += follower?.parseErrors() ?? 0;
        unreadableBefore += follower?.unreadableLines() ?? 0;
        follower = undefined;
      },
    };
  });
}
