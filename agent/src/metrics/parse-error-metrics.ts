// The model-download lines the log parsers refused (impossible sizes or speeds: counted, never
// events; docs/signals.md "Model downloads"), as a counter read at each scrape from the daemon's
// log sources (sources/log-sources.ts: each follower's own count), by runtime.
import { runtimeLabel } from './labels.js';
import { TextCounter, type TextRegistry } from './text-registry.js';

/** What the counter reads: a log source's runtime and its count of refused lines (sources/log-sources.ts LogSource). */
export interface ParseErrorSource {
  readonly runtime: string;
  parseErrors(): number;
}

export function registerParseErrorMetrics(registry: TextRegistry, host: string, sources: readonly ParseErrorSource[]): TextCounter<'host' | 'runtime'> {
  const sums = new Map<string, number>();
  const counter: TextCounter<'host' | 'runtime'> = new TextCounter<'host' | 'runtime'>({
    name: 'renderwatch_model_download_parse_errors_total',
    help: 'Model-download log lines with impossible values (size, speed, count), skipped and counted, by runtime.',
    labelNames: ['host', 'runtime'],
    registers: [registry],
    collect() {
      // Logs of one runtime (or of runtimes outside the known set, all `other`) add up; a runtime
      // gets its series at its first refused line.
      sums.clear();
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i] as ParseErrorSource;
        const label = runtimeLabel(s.runtime);
        sums.set(label, (sums.get(label) ?? 0) + s.parseErrors());
      }
      for (const [runtime, n] of sums) if (n > 0) counter.setTotal({ host, runtime }, n);
    },
  });
  return counter;
}
