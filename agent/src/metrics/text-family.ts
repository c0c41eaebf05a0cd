// Exposition-text pieces for the families the agent renders itself (gpu-metrics, host-metrics), in
// exactly the form prom-client writes (text format 0.0.4) or openmetrics.ts writes (OpenMetrics 1.0),
// so moving a family out of the registry changes no byte a scraper sees.

export type TextFamilyType = 'gauge' | 'counter';

/** prom-client's label escaping: backslash, newline, double quote. */
export const labelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const helpText = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/**
 * The HELP/TYPE lines of a family. Text format: `# HELP` then `# TYPE` (prom-client); OpenMetrics:
 * `# TYPE` then `# HELP`, a counter family named without `_total` (openmetrics.ts; its samples keep it).
 */
export function familyHeader(name: string, type: TextFamilyType, help: string, openMetrics: boolean): string {
  if (!openMetrics) return `# HELP ${name} ${helpText(help)}\n# TYPE ${name} ${type}\n`;
  const family = type === 'counter' ? name.replace(/_total$/, '') : name;
  return `# TYPE ${family} ${type}\n# HELP ${family} ${labelValue(help)}\n`;
}

// Buffer.prototype.utf8Write: what buf.write(s, offset) ends in, without its argument checks (in
// Node 20 they run through a wrapper that allocates an arguments array per call).
type Utf8Write = (this: Buffer, s: string, offset: number, length: number) => number;
const utf8Write: Utf8Write | undefined = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;

/** Integers up to this are written digit by digit: they stay small integers (no boxed number per step under --no-opt). */
const SMALL = 2 ** 30 - 1;

/**
 * Builds exposition bytes in one reused scratch buffer: strings are encoded straight into it and
 * small integers written digit by digit, so a render allocates no per-line strings; take() copies
 * the result out into a Buffer of its own (a scrape may still be writing the previous one).
 */
export class ByteWriter {
  private buf: Buffer;
  private n = 0;

  constructor(initial = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(bytes: number): void {
    if (this.n + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + bytes));
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  str(s: string): void {
    this.room(s.length * 3);
    this.n += utf8Write === undefined ? this.buf.write(s, this.n) : utf8Write.call(this.buf, s, this.n, this.buf.length - this.n);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.n++] = b;
  }

  /** A number as String(v) writes it. */
  num(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > SMALL) {
      this.str(String(v));
      return;
    }
    this.room(10);
    let digits = 1;
    for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
    let x = v;
    for (let i = this.n + digits - 1; i >= this.n; i--) {
      this.buf[i] = 48 + (x % 10);
      x = (x / 10) | 0;
    }
    this.n += digits;
  }

  /** The bytes written since the last take(), in a Buffer of their own; the writer starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.n);
    this.buf.copy(out, 0, 0, this.n);
    this.n = 0;
    return out;
  }
}
