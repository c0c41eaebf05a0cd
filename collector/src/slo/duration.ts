// Durations as written in SLO files (`5m`, `6h`, `30d`) → seconds.
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds of a duration like `90s`, `5m`, `30d`; undefined when the text is not one. */
export function parseDurationS(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text);
  if (m === null) return undefined;
  const unit = UNIT_S[m[2] ?? ''];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Seconds of a duration already checked by DurationSchema; throws on a broken invariant. */
export function durationS(text: string): number {
  const s = parseDurationS(text);
  if (s === undefined) throw new TypeError(`not a duration: ${JSON.stringify(text)}`);
  return s;
}

/** Shortest name for a number of seconds: 300 → `5m`, 259200 → `3d`, 90 → `90s`. */
export function formatDurationS(s: number): string {
  for (const [unit, n] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= n && s % n === 0) return `${s / n}${unit}`;
  }
  return `${Math.round(s)}s`;
}
