// tqdm progress bars: `{desc}: {pct}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{, postfix}]`.

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

const BAR = /^\s*(?:(.*?):?\s+)?(\d{1,3})%\|[^|\n]*\|\s*(\d+)\/(\d+)\s*\[([^\]]*)\]/;
const RATE = /^\s*([\d.]+)\s*(it\/s|s\/it)\s*(?:,\s*(.*))?$/;

/** Cheap test before the regex: every bar has `%|` and `/`. */
export function mayBeBar(s: string): boolean {
  return s.includes('%|');
}

export function parseBar(s: string): TqdmBar | undefined {
  if (!s.includes('%|')) return undefined;
  const m = BAR.exec(s);
  if (m === null) return undefined;
  const n = Number(m[3]);
  const total = Number(m[4]);
  const inside = m[5] ?? '';
  const comma = inside.indexOf(',');
  const afterTimes = comma < 0 ? '' : inside.slice(comma + 1);
  const out: { desc?: string; n: number; total: number; itPerS?: number; postfix?: string; end: number } = {
    n,
    total,
    end: m[0].length,
  };
  const desc = m[1]?.trim();
  if (desc !== undefined && desc !== '') out.desc = desc.replace(/:$/, '');
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
