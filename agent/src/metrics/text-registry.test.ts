// The agent's own registry writes what prom-client 15 wrote for the same instruments and calls (the
// text format 0.0.4 a scraper read before), keeps a family's bytes until one of its values changes,
// and ByteWriter writes numbers as String() does.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from './text-family.js';
import { TextCounter, TextGauge, TextHistogram, TextRegistry } from './text-registry.js';

const text = (r: TextRegistry, open = false): string => Buffer.concat(r.chunks(open)).toString('utf8');

/** The same calls on a prom-client registry and on ours. */
function both(): { prom: Registry; ours: TextRegistry } {
  const prom = new Registry();
  const ours = new TextRegistry();
  const help = 'Odd help: back\\slash,\nnewline and "quotes".';
  const pc = new Counter<'host' | 'kind'>({ name: 'x_events_total', help, labelNames: ['host', 'kind'], registers: [prom] });
  const oc = new TextCounter<'host' | 'kind'>({ name: 'x_events_total', help, labelNames: ['host', 'kind'], registers: [ours] });
  const pg = new Gauge({ name: 'x_plain', help: 'No labels.', registers: [prom] });
  const og = new TextGauge({ name: 'x_plain', help: 'No labels.', registers: [ours] });
  const pe = new Gauge<'host'>({ name: 'x_never_set', help: 'Declared only.', labelNames: ['host'], registers: [prom] });
  const oe = new TextGauge<'host'>({ name: 'x_never_set', help: 'Declared only.', labelNames: ['host'], registers: [ours] });
  const buckets = [0.5, 1, 5];
  const ph = new Histogram<'host' | 'outcome'>({ name: 'x_seconds', help: 'Durations.', labelNames: ['host', 'outcome'], buckets, registers: [prom] });
  const oh = new TextHistogram<'host' | 'outcome'>({ name: 'x_seconds', help: 'Durations.', labelNames: ['host', 'outcome'], buckets, registers: [ours] });
  void pe;
  void oe;
  for (const [c, h] of [
    [pc, ph],
    [oc, oh],
  ] as const) {
    c.inc({ host: 'gpu-"7"\\\n', kind: 'b' }, 0);
    c.inc({ host: 'gpu-"7"\\\n', kind: 'a' });
    c.inc({ host: 'gpu-"7"\\\n', kind: 'a' }, 2.5);
    c.inc({ host: 'h', kind: 'a' });
    h.observe({ host: 'h', outcome: 'ok' }, 1);
    h.observe({ host: 'h', outcome: 'ok' }, 0.2);
    h.observe({ host: 'h', outcome: 'ok' }, 60);
    h.observe({ host: 'h', outcome: 'oom' }, 5);
  }
  pg.set(-3.25);
  og.set(undefined, -3.25);
  return { prom, ours };
}

describe('TextRegistry', () => {
  it('writes the text format byte for byte as prom-client 15 does (order, blank lines, escapes, histogram buckets)', async () => {
    const { prom, ours } = both();
    const expected = await prom.metrics();
    expect(text(ours)).toBe(expected);
    // Hand-checked lines, so a change in both would still show.
    expect(expected).toContain('x_events_total{host="gpu-\\"7\\"\\\\\\n",kind="a"} 3.5\n');
    expect(expected).toContain('x_seconds_bucket{le="1",host="h",outcome="ok"} 2\nx_seconds_bucket{le="5",host="h",outcome="ok"} 2\n');
    expect(expected).toContain(
      'x_seconds_bucket{le="+Inf",host="h",outcome="ok"} 3\nx_seconds_sum{host="h",outcome="ok"} 61.2\nx_seconds_count{host="h",outcome="ok"} 3\n',
    );
    expect(expected).toContain(
      '# HELP x_plain No labels.\n# TYPE x_plain gauge\nx_plain -3.25\n\n# HELP x_never_set Declared only.\n# TYPE x_never_set gauge\n\n',
    );
  });

  it('writes OpenMetrics: counter families without _total, samples with it, TYPE before HELP, no blank lines', () => {
    const r = new TextRegistry();
    new TextCounter<'host'>({ name: 'y_jobs_total', help: 'Jobs "done".', labelNames: ['host'], registers: [r] }).inc({ host: 'h' });
    new TextGauge({ name: 'y_nan', help: 'NaN.', registers: [r] }).set(undefined, Number.NaN);
    expect(text(r, true)).toBe(
      '# TYPE y_jobs counter\n# HELP y_jobs Jobs \\"done\\".\ny_jobs_total{host="h"} 1\n# TYPE y_nan gauge\n# HELP y_nan NaN.\ny_nan NaN\n',
    );
    // The text format keeps prom-client's spelling of NaN.
    expect(text(r)).toContain('\ny_nan Nan\n');
  });

  it('hands out the same bytes until a value of the family changes; an unchanged set keeps them', () => {
    const r = new TextRegistry();
    const g = new TextGauge<'host'>({ name: 'z', help: 'z.', labelNames: ['host'], registers: [r] });
    g.set({ host: 'h' }, 1);
    const [first] = r.chunks(false);
    g.set({ host: 'h' }, 1);
    expect(r.chunks(false)[0]).toBe(first);
    g.set({ host: 'h' }, 2);
    const [second] = r.chunks(false);
    expect(second).not.toBe(first);
    expect(second?.toString()).toBe('# HELP z z.\n# TYPE z gauge\nz{host="h"} 2\n');
  });

  it('finds the series of a kept labels object again, alternating with others and after a reset', () => {
    const r = new TextRegistry();
    const c = new TextCounter<'kind'>({ name: 'k_total', help: 'k.', labelNames: ['kind'], registers: [r] });
    const a = { kind: 'a' };
    const b = { kind: 'b' };
    c.inc(a);
    c.inc(a);
    c.inc(b);
    c.inc(a, 4);
    c.inc({ kind: 'b' });
    c.inc(b);
    expect(text(r)).toBe('# HELP k_total k.\n# TYPE k_total counter\nk_total{kind="a"} 6\nk_total{kind="b"} 3\n');
    c.reset();
    c.inc(b);
    expect(text(r)).toBe('# HELP k_total k.\n# TYPE k_total counter\nk_total{kind="b"} 1\n');
  });

  it('ignores what a counter cannot take (negative, NaN, infinite) instead of throwing', () => {
    const r = new TextRegistry();
    const c = new TextCounter({ name: 'c_total', help: 'c.', registers: [r] });
    c.inc(undefined, -1);
    c.inc(undefined, Number.NaN);
    c.inc(undefined, Number.POSITIVE_INFINITY);
    c.inc(undefined, 2);
    expect(text(r)).toBe('# HELP c_total c.\n# TYPE c_total counter\nc_total 2\n');
    expect(() => new TextGauge({ name: 'c_total', help: 'again', registers: [r] })).toThrow('registered twice');
  });
});

describe('ByteWriter', () => {
  it('writes numbers as String() does, and UTF-8 text, across buffer growth', () => {
    const values = [0, 7, 10, 99, 1000, 2 ** 30 - 1, 2 ** 30, 85_899_345_920, -3, 0.87, 412.5, 1e21, 1e-7, -0];
    const w = new ByteWriter(8);
    let expected = '';
    for (const v of values) {
      w.num(v);
      w.byte(0x20);
      expected += `${String(v)} `;
    }
    w.str('gpu_name="Квадро ✓"');
    expected += 'gpu_name="Квадро ✓"';
    expect(w.take().toString('utf8')).toBe(expected);
    // take() starts over and hands out a copy.
    w.num(5);
    const a = w.take();
    w.num(6);
    expect(a.toString()).toBe('5');
    expect(w.take().toString()).toBe('6');
  });
});
