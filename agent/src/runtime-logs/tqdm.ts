// tqdm progress bars: `{desc}: {pct}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{, postfix}]`,
// and the same without the `|{bar}|` part, as Google Colab's output shows a subprocess's bars
// (`steps:   0% 0/2300 [00:01<?, ?it/s]`, agent/test/fixtures/runtime-logs/kohya/sdxl-dreambooth-oom-colab-bar-without-glyphs-2025-07.log).

export interface TqdmBar {
  /** Text before `NN%|`, without the colon (e.g. `steps`, `Total progress`), when present. */
  readonly desc?: string;
  readonly n: number;
  readonly total: number;
  /** Iterations per second; `s/it` rates are inverted; absent for `?it/s`. */
  readonly itPerS?: number;
  /** What follows the rate inside the brackets (`avr_loss=0.087`, `loss=0.253, lr=0.0001`). */
  readonly postfix?: string;
  /** Index just past the closing `]`: anything after it was glued on by a carriage return. */
  readonly end: number;
}

/** After the bar's second `|`: ` n/total [inside]`, matched sticky (no scan, no backtracking). */
const COUNTS = /\s*(\d+)\/(\d+)\s*\[([^\]]*)\]/y;
/** After a glyph-less bar's `%`: one space, then ` n/total [inside]` (Colab). */
const PLAIN_COUNTS = / (\d+)\/(\d+) \[([^\]]*)\]/y;
const RATE = /^\s*([\d.]+)\s*(it\/s|s\/it)\s*(?:,\s*(.*))?$/;

/** Cheap test before the regex: every bar has `%|`. */
export function mayBeBar(s: string): boolean {
  return s.includes('%|');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// The record assembler parses a bar to find where it ends and the runtime's parser parses the
// same string again for its numbers: remembering the last bar halves the work. Results are
// read-only, so sharing one between callers is safe. Only bars are remembered, so the string
// comparison runs only right after a bar.
let lastInput = '';
let lastBar: TqdmBar | undefined;

/** Parses a tqdm bar line (memoised on the last bar). */
export function parseBar(s: string): TqdmBar | undefined {
  if (lastBar !== undefined && s === lastInput) return lastBar;
  const bar = scanBar(s);
  if (bar !== undefined) {
    lastInput = s;
    lastBar = bar;
  }
  return bar;
}

/**
 * A bar without its `|glyphs|` (`steps:   0% 0/2300 [00:01<?, ?it/s]`, as Google Colab shows a
 * subprocess's output). Apart from parseBar, so lines with a `|` (every line the record assembler
 * tries as a bar) pay nothing for it: callers ask only for lines that start with their bar's name.
 */
export function parsePlainBar(s: string): TqdmBar | undefined {
  return scanBar(s, true);
}

// Hand-rolled instead of one regex: bar lines are long runs of block characters, and a regex with
// an optional lazy description backtracks over them (it was 45% of the parse time).
function scanBar(s: string, plain = false): TqdmBar | undefined {
  const p = s.indexOf(plain ? '% ' : '%|');
  if (p < 0) return undefined;
  let i = p;
  while (i > 0 && isDigit(s.charCodeAt(i - 1))) i--;
  if (i === p || p - i > 3) return undefined;
  const before = i === 0 ? 32 : s.charCodeAt(i - 1);
  if (before !== 32 && before !== 9 && before !== 58) return undefined;
  let counts = PLAIN_COUNTS;
  if (plain) counts.lastIndex = p + 1;
  else {
    const close = s.indexOf('|', p + 2);
    if (close < 0) return undefined;
    counts = COUNTS;
    counts.lastIndex = close + 1;
  }
  const m = counts.exec(s);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const total = Number(m[2]);
  const inside = m[3] ?? '';
  const comma = inside.indexOf(',');
  const afterTimes = comma < 0 ? '' : inside.slice(comma + 1);
  const out: { desc?: string; n: number; total: number; itPerS?: number; postfix?: string; end: number } = {
    n,
    total,
    end: counts.lastIndex,
  };
  const desc = s.slice(0, i).trim();
  if (desc !== '') out.desc = desc.replace(/:$/, '');
  const r = RATE.exec(afterTimes);
  if (r !== null) {
    const v = Number(r[1]);
    if (Number.isFinite(v) && v > 0) out.itPerS = r[2] === 'it/s' ? v : round6(1 / v);
    if (r[3] !== undefined && r[3].trim() !== '') out.postfix = r[3].trim();
  } else {
    const q = /\?it\/s\s*(?:,\s*(.*))?$/.exec(afterTimes);
    if (q?.[1] !== undefined && q[1].trim() !== '') out.postfix = q[1].trim();
  }
  return out;
}

export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
