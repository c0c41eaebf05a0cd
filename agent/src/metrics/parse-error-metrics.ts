// The model-download lines the log parsers refused (impossible sizes or speeds: counted, never
// events; docs/signals.md "Model downloads"), as a counter read from the process tally at scrape.
import { Counter, type Registry } from 'prom-client';
import { downloadParseErrorTotals } from '../runtime-logs/parse-error-tally.js';
import { runtimeLabel } from './labels.js';

export function registerParseErrorMetrics(registry: Registry, host: string): Counter<'host' | 'runtime'> {
  return new Counter<'host' | 'runtime'>({
    name: 'renderwatch_model_download_parse_errors_total',
    help: 'Model-download log lines with impossible values (size, speed, count), skipped and counted, by runtime.',
    labelNames: ['host', 'runtime'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [runtime, n] of downloadParseErrorTotals()) this.inc({ host, runtime: runtimeLabel(runtime) }, n);
    },
  });
}
