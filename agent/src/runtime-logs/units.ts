// Small numeric conversions shared by the parsers.

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** `HH:MM:SS` / `MM:SS` / `H:MM:SS` → seconds. */
export function secondsFromClock(s: string): number | undefined {
  const parts = s.split(':').map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) return undefined;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** Last path component of a Windows or POSIX path. */
export function baseName(path: string): string {
  const p = path.trim().replace(/[\\/]+$/, '');
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}

/** A finite, non-negative number from text, or undefined. */
export function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}
