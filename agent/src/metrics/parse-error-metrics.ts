// The model-download lines the log parsers refused (impossible sizes or speeds: counted, never
// events; docs/signals.md "Model downloads") and the lines they could not read at all (binary,
// NUL runs, invalid UTF-8, over-long lines; docs/runtime-adapters.md "Line formats accepted"), as
// counters read at each scrape from the daemon's log sources (sources/log-sources.ts: each
// follower's own counts), by runtime.
import { runtimeLabel } from './labels.js';
import { TextCounter, type TextRegistry } from './text-registry.js';

/** What the counter reads: a log source's runtime and its count of refused lines (sources/log-sources.ts LogSource). */
export interface ParseErrorSource {
  readonly runtime: string;
  parseErrors(): number;
  /** Optional: sources without it count none. */
  unreadableLines?(): number;
}

/** One counter summed over the sources by runtime label; a runtime gets its series at its first count. */
function sumByRuntime(
  registry: TextRegistry,
  host: string,
  sources: readonly ParseErrorSource[],
  name: string,
  help: string,
  read: (s: ParseErrorSource) => number,
): TextCounter<'host' | 'runtime'> {
  const sums = new Map<string, number>();
  const counter: TextCounter<'host' | 'runtime'> = new TextCounter<'host' | 'runtime'>({
    name,
    help,
    labelNames: ['host', 'runtime'],
    registers: [registry],
    collect() {
      // Logs of one runtime (or of runtimes outside the known set, all `other`) add up.
      sums.clear();
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i] as ParseErrorSource;
        const label = runtimeLabel(s.runtime);
        sums.set(label, (sums.get(label) ?? 0) + read(s));
      }
      for (const [runtime, n] of sums) if (n > 0) counter.setTotal({ host, runtime }, n);
    },
  });
  return counter;
}

export function registerParseErrorMetrics(registry: TextRegistry, host: string, sources: readonly ParseErrorSource[]): TextCounter<'host' | 'runtime'> {
  sumByRuntime(
    registry,
    host,
    sources,
    'renderwatch_runtime_log_unreadable_lines_total',
    'Runtime log lines that were not text the parsers could read (binary, NUL runs, invalid UTF-8, over 64 KiB), skipped and counted, by runtime.',
    (s) => s.unreadableLines?.() ?? 0,
  );
  return sumByRuntime(
    registry,
    host,
    sources,
    'renderwatch_model_download_parse_errors_total',
    'Model-download log lines with impossible values (size, speed, count), skipped and counted, by runtime.',
    (s) => s.parseErrors(),
  );
}
