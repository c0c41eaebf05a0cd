// A Prometheus counter fed from a total the driver already keeps (energy, ECC errors, throttle
// time): each observation adds the growth since the last one; a smaller total means the source was
// reset (driver reload, GPU reset), so the series restarts from it, as a counter reset should.
import { Counter, type Registry } from 'prom-client';

export interface CumulativeCounter<L extends string> {
  /** Records the source's running total for one label set. */
  observe(labels: Record<L, string>, total: number): void;
  /** Forgets one label set (the GPU is gone). */
  remove(labels: Record<L, string>): void;
}

export function createCumulativeCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): CumulativeCounter<L> {
  const counter = new Counter<L>({ name, help, labelNames, registers: [registry] });
  const last = new Map<string, number>();
  const keyOf = (labels: Record<L, string>): string => labelNames.map((l) => labels[l]).join('\u0000');
  return {
    observe(labels, total) {
      if (!Number.isFinite(total) || total < 0) return;
      const key = keyOf(labels);
      const prev = last.get(key);
      if (prev === undefined || total < prev) {
        counter.remove(labels);
        counter.inc(labels, total);
      } else if (total > prev) {
        counter.inc(labels, total - prev);
      }
      last.set(key, total);
    },
    remove(labels) {
      last.delete(keyOf(labels));
      counter.remove(labels);
    },
  };
}
