// Unit formatting used by every page and chart: one place decides how a number reads.
const GiB = 1024 ** 3;
const DASH = '—';

function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** 0.734 → "73%" (ratio × 100, rounded). */
export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  return isNum(ratio) ? `${(ratio * 100).toFixed(digits)}%` : DASH;
}

export function formatCelsius(c: number | null | undefined): string {
  return isNum(c) ? `${Math.round(c)} °C` : DASH;
}

export function formatWatts(w: number | null | undefined): string {
  return isNum(w) ? `${Math.round(w)} W` : DASH;
}

export function formatMhz(m: number | null | undefined): string {
  return isNum(m) ? `${Math.round(m)} MHz` : DASH;
}

/** "20.0 / 45.0 GiB" (GiB = 1024³, one decimal). */
export function formatMemPair(used: number | null | undefined, total: number | null | undefined): string {
  const u = isNum(used) ? (used / GiB).toFixed(1) : DASH;
  const t = isNum(total) ? (total / GiB).toFixed(1) : DASH;
  return `${u} / ${t} GiB`;
}

/** Bytes in binary units: "512 B", "3.2 MiB", "20.0 GiB". */
export function formatBytes(b: number | null | undefined): string {
  if (!isNum(b)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(b);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 ? String(Math.round(v)) : v.toFixed(1);
  return `${b < 0 ? '-' : ''}${s} ${units[i] ?? 'B'}`;
}

/** Seconds as "850 ms", "12.5 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(s: number | null | undefined): string {
  if (!isNum(s)) return DASH;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number(s.toFixed(1))} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const r = Math.round(s - m * 60);
    return r === 0 ? `${m} min` : `${m} min ${r} s`;
  }
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.round((s - h * 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.round((s - d * 86400) / 3600);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/** "12 s ago" relative to `now` (epoch ms). */
export function formatAgo(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return DASH;
  const s = Math.max(0, (now - t) / 1000);
  return s < 1 ? 'just now' : `${formatDuration(Math.round(s))} ago`;
}

/** Local wall-clock time, "14:05:09", with the date when not today. */
export function formatClock(t: number | string, now = Date.now()): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return DASH;
  const time = clockFormat().format(d);
  return new Date(now).toDateString() === d.toDateString() ? time : `${dayFormat().format(d)} ${time}`;
}

// Intl formatters are built once (toLocale*String builds a new one per call: ~1 ms each, and the
// first one loads the locale data — a table of timestamps paid that on every cell at first paint).
let clock: Intl.DateTimeFormat | undefined;
let day: Intl.DateTimeFormat | undefined;
const numbers = new Map<number, Intl.NumberFormat>();
const clockFormat = (): Intl.DateTimeFormat =>
  (clock ??= new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }));
const dayFormat = (): Intl.DateTimeFormat => (day ??= new Intl.DateTimeFormat([], { month: 'short', day: 'numeric' }));

export function formatNumber(v: number | null | undefined, digits = 0): string {
  if (!isNum(v)) return DASH;
  let f = numbers.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
    numbers.set(digits, f);
  }
  return f.format(v);
}
