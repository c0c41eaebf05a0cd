// Time range kept in the URL: `?range=1h` (a preset ending now) or `?from=<iso>&to=<iso>`.
export const RANGE_PRESETS = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3600_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86400_000 },
] as const;

export const DEFAULT_RANGE = '1h';

export type TimeRange = { kind: 'preset'; id: string; label: string; ms: number } | { kind: 'absolute'; from: number; to: number; label: string };

export function parseTimeRange(params: URLSearchParams): TimeRange {
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && to > from) {
    return {
      kind: 'absolute',
      from,
      to,
      label: `${new Date(from).toISOString().slice(0, 16).replace('T', ' ')} → ${new Date(to).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    };
  }
  const id = params.get('range') ?? DEFAULT_RANGE;
  const p = RANGE_PRESETS.find((x) => x.id === id) ?? RANGE_PRESETS.find((x) => x.id === DEFAULT_RANGE) ?? RANGE_PRESETS[1];
  return { kind: 'preset', id: p.id, label: p.label, ms: p.ms };
}

/** A stable string for the range (query keys): presets do not change as time passes. */
export function rangeKey(r: TimeRange): string {
  return r.kind === 'preset' ? r.id : `${r.from}-${r.to}`;
}

/** Concrete bounds at `now` (epoch ms). */
export function resolveTimeRange(r: TimeRange, now: number): { from: Date; to: Date } {
  return r.kind === 'preset' ? { from: new Date(now - r.ms), to: new Date(now) } : { from: new Date(r.from), to: new Date(r.to) };
}

/** Query-string patch that selects an absolute window around `t` (for "go to this moment" links). */
export function windowAround(t: number, halfMs: number): { from: string; to: string } {
  return { from: new Date(t - halfMs).toISOString(), to: new Date(t + halfMs).toISOString() };
}

/** `{from, to}` ISO strings for an API query at `now`. */
export function rangeQuery(r: TimeRange, now = Date.now()): { from: string; to: string } {
  const { from, to } = resolveTimeRange(r, now);
  return { from: from.toISOString(), to: to.toISOString() };
}

const cut = (v: string): string => (v.length > 40 ? `${v.slice(0, 40)}…` : v);

/**
 * What is wrong with the URL's time range, if anything: a `from`/`to` that is not a time (or ends
 * before it starts), or an unknown `range` preset. The page then shows the default range and says so.
 */
export function invalidRangeText(params: URLSearchParams): string | undefined {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null || to !== null) {
    const f = Date.parse(from ?? '');
    const t = Date.parse(to ?? '');
    if (!Number.isFinite(f) || !Number.isFinite(t) || t <= f) return `from=${cut(from ?? '')} to=${cut(to ?? '')} is not a valid time range`;
  }
  const id = params.get('range');
  if (id !== null && from === null && to === null && !RANGE_PRESETS.some((p) => p.id === id)) return `range=${cut(id)} is not a valid time range`;
  return undefined;
}
