// The agent's own instrument registry in place of prom-client's: counters, gauges and histograms
// that keep each series' rendered label set and value, and each family's exposition bytes, rebuilt
// only when one of its values changed. A scrape hands out the kept bytes (a list of Buffers written
// as they are), so it costs what changed since the last one, not a walk of every label object, hash
// and string of the registry (prom-client's getMetricsAsString was ~150 KB of garbage per scrape
// under the daemon's --no-opt). The bytes are exactly what prom-client 15 wrote (text format 0.0.4:
// families separated by a blank line) and what openmetrics.ts wrote from its JSON (OpenMetrics 1.0),
// so no scraper sees a change. A family may refresh itself when scraped (`collect`), for values
// read from the process (CPU, memory) or from the daemon's parts (log sources' parse errors).
import { ByteWriter, labelValue } from './text-family.js';

export type FamilyKind = 'counter' | 'gauge' | 'histogram';
export type LabelValues<L extends string> = Readonly<Record<L, string | number>>;

const helpText = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A value as prom-client's text format writes it (NaN is `Nan` there) or OpenMetrics (`NaN`). */
export function formatValue(v: number, openMetrics: boolean): string {
  if (Number.isNaN(v)) return openMetrics ? 'NaN' : 'Nan';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  collect?: () => void;
  /** Registries to add the family to (in their order of registration), as prom-client's `registers`. */
  registers?: readonly TextRegistry[];
}

interface Series {
  /** `a="x",b="y"` in label-name order ('' without labels). */
  readonly labels: string;
  value: number;
  /** Histograms: per-bucket counts (not cumulative) and the sum; `value` is the count. */
  buckets?: number[];
  sum?: number;
  /** The start of each of its lines (`name{labels} `), made at the first render. */
  head?: string[];
}

/** One family: its series in first-use order and its rendered bytes per format, kept until a value changes. */
/** One writer for every family render: rendering is synchronous and take() copies the bytes out. */
const writer = new ByteWriter(4096);
const NL = 10;

/** A value into the writer: digits as String() writes them, non-finite values as the format spells them. */
function value(w: ByteWriter, v: number, open: boolean): void {
  if (Number.isFinite(v)) w.num(v);
  else w.str(formatValue(v, open));
}

export abstract class Family<L extends string = string> {
  readonly name: string;
  readonly help: string;
  abstract readonly kind: FamilyKind;
  protected readonly labelNames: readonly L[];
  private readonly series = new Map<string, Series>();
  /** The series in first-use order (indexed loops: a for-of allocates per step under the daemon's --no-opt). */
  protected readonly list: Series[] = [];
  private cacheText: Buffer | undefined;
  private cacheOpen: Buffer | undefined;
  /** HELP/TYPE lines per format (index 0 text, 1 OpenMetrics), made at the first render. */
  private headers: [string, string] | undefined;
  private readonly collect: (() => void) | undefined;
  private lastLabels: LabelValues<L> | undefined;
  private lastSeries: Series | undefined;

  /** `collect`, when given, runs at each scrape before the family is rendered (it sets the values it reads). */
  constructor(o: FamilyOptions<L>) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames ?? [];
    this.collect = o.collect;
    for (const r of o.registers ?? []) r.register(this);
  }

  /**
   * The family's series for these label values, created (at 0) on first use. The series of the
   * last labels object passed is remembered by identity (callers that keep their label objects,
   * runtime-metrics.ts, look up nothing); a labels object must not be changed after it is passed.
   */
  protected get(labels: LabelValues<L> | undefined): Series {
    if (labels !== undefined && labels === this.lastLabels && this.lastSeries !== undefined) return this.lastSeries;
    const s = this.lookup(labels);
    this.lastLabels = labels;
    this.lastSeries = s;
    return s;
  }

  private lookup(labels: LabelValues<L> | undefined): Series {
    let key = '';
    for (let i = 0; i < this.labelNames.length; i++) {
      const v = labels?.[this.labelNames[i] as L];
      key += i === 0 ? String(v ?? '') : `\u0000${v ?? ''}`;
    }
    let s = this.series.get(key);
    if (s === undefined) {
      let text = '';
      for (const n of this.labelNames) {
        const v = labels?.[n];
        if (v === undefined) continue;
        text += `${text === '' ? '' : ','}${n}="${typeof v === 'number' ? v : labelValue(v)}"`;
      }
      s = { labels: text, value: 0 };
      this.series.set(key, s);
      this.list.push(s);
      this.changed();
    }
    return s;
  }

  protected changed(): void {
    this.cacheText = undefined;
    this.cacheOpen = undefined;
  }

  /** Drops every series (the family stays, with no samples; a family without labels keeps its one series, at 0). */
  reset(): void {
    if (this.series.size === 0) return;
    this.series.clear();
    this.list.length = 0;
    this.lastSeries = undefined;
    this.changed();
    this.unlabelled();
  }

  /** prom-client gives a counter or gauge without labels its series (at 0) from the start. */
  protected unlabelled(): void {
    if (this.labelNames.length === 0 && this.kind !== 'histogram') this.get(undefined);
  }

  /** The family as bytes: text format without the separating blank line, or OpenMetrics lines. */
  bytes(openMetrics: boolean): Buffer {
    this.collect?.();
    if (openMetrics) return (this.cacheOpen ??= this.render(true));
    return (this.cacheText ??= this.render(false));
  }

  /** The name OpenMetrics gives the family (a counter's without `_total`). */
  protected openName(): string {
    return this.kind === 'counter' ? this.name.replace(/_total$/, '') : this.name;
  }

  private render(open: boolean): Buffer {
    const family = this.openName();
    this.headers ??= [
      `# HELP ${this.name} ${helpText(this.help)}\n# TYPE ${this.name} ${this.kind}\n`,
      `# TYPE ${family} ${this.kind}\n# HELP ${family} ${labelValue(this.help)}\n`,
    ];
    const w = writer;
    w.str(this.headers[open ? 1 : 0]);
    for (let i = 0; i < this.list.length; i++) this.lines(w, this.list[i] as Series, open);
    return w.take();
  }

  /** The sample lines of one series. */
  protected lines(w: ByteWriter, s: Series, open: boolean): void {
    // Text: the family's name; OpenMetrics: a counter's samples end in `_total` (the family's own name does not).
    s.head ??= [`${this.name}${s.labels === '' ? '' : `{${s.labels}}`} `];
    if (open && s.head[1] === undefined)
      s.head[1] = `${this.kind === 'counter' ? `${this.openName()}_total` : this.name}${s.labels === '' ? '' : `{${s.labels}}`} `;
    w.str(s.head[open ? 1 : 0] ?? '');
    value(w, s.value, open);
    w.byte(NL);
  }
}

const countable = (v: number): boolean => Number.isFinite(v) && v >= 0;

export class TextCounter<L extends string = string> extends Family<L> {
  readonly kind = 'counter';

  constructor(o: FamilyOptions<L>) {
    super(o);
    this.unlabelled();
  }

  /** Adds `by` (default 1); a negative or non-finite amount is ignored (a counter only goes up). */
  inc(labels?: LabelValues<L>, by = 1): void {
    const s = this.get(labels);
    if (!countable(by) || by === 0) return;
    s.value += by;
    this.changed();
  }

  /** Sets the running total read from elsewhere (process CPU time, a source's own count). */
  setTotal(labels: LabelValues<L> | undefined, total: number): void {
    const s = this.get(labels);
    if (!countable(total) || s.value === total) return;
    s.value = total;
    this.changed();
  }
}

export class TextGauge<L extends string = string> extends Family<L> {
  readonly kind = 'gauge';

  constructor(o: FamilyOptions<L>) {
    super(o);
    this.unlabelled();
  }

  /** Sets the value (NaN and infinities are written as such; anything not a number is ignored). */
  set(labels: LabelValues<L> | undefined, v: number): void {
    const s = this.get(labels);
    if (typeof v !== 'number') return;
    if (Object.is(s.value, v)) return;
    s.value = v;
    this.changed();
  }
}

export class TextHistogram<L extends string = string> extends Family<L> {
  readonly kind = 'histogram';
  private readonly bounds: readonly number[];

  constructor(o: FamilyOptions<L> & { buckets: readonly number[] }) {
    super(o);
    this.bounds = [...o.buckets].sort((a, b) => a - b);
  }

  /** One observation: the first bucket whose upper bound is >= v, the count and the sum (prom-client's rule). */
  observe(labels: LabelValues<L> | undefined, v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.get(labels);
    const buckets = (s.buckets ??= this.bounds.map(() => 0));
    for (let i = 0; i < this.bounds.length; i++) {
      if (v <= (this.bounds[i] as number)) {
        buckets[i] = (buckets[i] ?? 0) + 1;
        break;
      }
    }
    s.value += 1;
    s.sum = (s.sum ?? 0) + v;
    this.changed();
  }

  // prom-client writes `le` first, then the series' labels; +Inf, _sum and _count after the bounds
  // (the same lines in both formats: the bounds are finite).
  protected override lines(w: ByteWriter, s: Series, open: boolean): void {
    if (s.head === undefined) {
      const rest = s.labels === '' ? '' : `,${s.labels}`;
      const labels = s.labels === '' ? '' : `{${s.labels}}`;
      s.head = [
        ...this.bounds.map((b) => `${this.name}_bucket{le="${formatValue(b, false)}"${rest}} `),
        `${this.name}_bucket{le="+Inf"${rest}} `,
        `${this.name}_sum${labels} `,
        `${this.name}_count${labels} `,
      ];
    }
    const head = s.head;
    const counts = s.buckets;
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += counts?.[i] ?? 0;
      w.str(head[i] ?? '');
      w.num(acc);
      w.byte(NL);
    }
    const n = this.bounds.length;
    w.str(head[n] ?? '');
    w.num(s.value);
    w.byte(NL);
    w.str(head[n + 1] ?? '');
    value(w, s.sum ?? 0, open);
    w.byte(NL);
    w.str(head[n + 2] ?? '');
    w.num(s.value);
    w.byte(NL);
  }
}

const BLANK = Buffer.from('\n');

/** The families in registration order; their bytes make the registry's part of /metrics. */
export class TextRegistry {
  static readonly CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly families: Family[] = [];

  register<F extends Family>(f: F): F {
    if (this.families.some((x) => x.name === f.name)) throw new Error(`metric ${f.name} is registered twice`);
    this.families.push(f);
    return f;
  }

  names(): string[] {
    return this.families.map((f) => f.name);
  }

  /**
   * The registry's part of the body, in order (each family's bytes; the text format puts a blank
   * line between families, as prom-client does). Families that did not change hand out the same Buffer.
   */
  chunks(openMetrics: boolean, into: Buffer[] = []): Buffer[] {
    for (let i = 0; i < this.families.length; i++) {
      if (i > 0 && !openMetrics) into.push(BLANK);
      into.push((this.families[i] as Family).bytes(openMetrics));
    }
    return into;
  }
}
