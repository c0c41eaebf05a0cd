// The model-download lines the log parsers refused (impossible sizes or speeds: counted, never
// events; docs/signals.md "Model downloads"), as a counter read from the process tally at scrape.
import { downloadParseErrorTotals } from '../runtime-logs/parse-error-tally.js';
import { runtimeLabel } from './labels.js';
import { TextCounter, type TextRegistry } from './text-registry.js';

export function registerParseErrorMetrics(registry: TextRegistry, host: string): TextCounter<'host' | 'runtime'> {
  const sums = new Map<string, number>();
  const counter: TextCounter<'host' | 'runtime'> = new TextCounter<'host' | 'runtime'>({
    name: 'renderwatch_model_download_parse_errors_total',
    help: 'Model-download log lines with impossible values (size, speed, count), skipped and counted, by runtime.',
    labelNames: ['host', 'runtime'],
    registers: [registry],
    collect() {
      // Runtimes outside the known set share the `other` series: their counts add up.
      sums.clear();
      for (const [runtime, n] of downloadParseErrorTotals()) {
        const label = runtimeLabel(runtime);
        sums.set(label, (sums.get(label) ?? 0) + n);
      }
      for (const [runtime, n] of sums) counter.setTotal({ host, runtime }, n);
    },
  });
  return counter;
}
