// Shapes the host series API for the charts: one column per GPU, bands and markers on the time axis.
import type { EventMarker, GpuSeries, GpuSeriesPoint, HostSeriesPoint, ThrottleBand } from '@renderwatch/schema';
import type { Band, Marker, Series, SeriesPoint } from '../../charts/TimeSeriesChart.js';

export const GPU_COLORS = ['var(--c1)', 'var(--c2)', 'var(--c3)', 'var(--c4)', 'var(--c5)', 'var(--c6)', 'var(--c7)', 'var(--c8)'];

/** Merges the GPUs' points into rows keyed by time with a `g<index>` column per GPU. */
export function gpuColumns(gpus: GpuSeries[], pick: (p: GpuSeriesPoint) => number | null): SeriesPoint[] {
  const rows = new Map<number, SeriesPoint>();
  for (const g of gpus) {
    for (const p of g.points) {
      const t = Date.parse(p.t);
      const row: SeriesPoint = rows.get(t) ?? { t };
      row[`g${g.index}`] = pick(p);
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** Above this many GPUs a chart draws their mean and max instead of one line each (legible, and 4× fewer points). */
export const MAX_GPU_LINES = 4;

/** Rows and series for one chart: a line per GPU, or mean and max across GPUs on big hosts. */
export function chartSeries(gpus: GpuSeries[], pick: (p: GpuSeriesPoint) => number | null): { data: SeriesPoint[]; series: Series[] } {
  if (gpus.length <= MAX_GPU_LINES) return { data: gpuColumns(gpus, pick), series: gpuSeriesDefs(gpus) };
  const data = gpuColumns(gpus, pick).map((row) => {
    const vs = gpus.map((g) => row[`g${g.index}`]).filter((v): v is number => typeof v === 'number');
    return { t: row.t, mean: vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0) / vs.length, max: vs.length === 0 ? null : Math.max(...vs) };
  });
  return {
    data,
    series: [
      { key: 'mean', label: `mean of ${gpus.length} GPUs`, color: 'var(--c1)' },
      { key: 'max', label: 'max GPU', color: 'var(--c2)' },
    ],
  };
}

export function gpuSeriesDefs(gpus: GpuSeries[]): Series[] {
  return gpus.map((g) => ({ key: `g${g.index}`, label: `GPU ${g.index}`, color: GPU_COLORS[g.index % GPU_COLORS.length] ?? 'var(--c1)' }));
}

const BAND_COLOR: Record<ThrottleBand['reason'], string> = { thermal: '#e4572e', power: '#f3a712', hw_slowdown: '#a23b72' };
const BAND_LABEL: Record<ThrottleBand['reason'], string> = { thermal: 'thermal', power: 'power cap', hw_slowdown: 'hw slowdown' };

/**
 * Bands of the shown GPUs, merged per reason where they overlap or touch (8 GPUs throttling at
 * once draw one band, not eight: fewer SVG areas, and the shading means "some GPU was throttled").
 * Bands less than `gapMs` apart merge too: a card that throttles on and off every sample draws one
 * stretch instead of a comb of hundreds of areas (the host page's first paint on a throttling rack).
 */
export function throttleBands(bands: ThrottleBand[], gpus: GpuSeries[], gapMs = 0): Band[] {
  const uuids = new Set(gpus.map((g) => g.uuid));
  const out: Band[] = [];
  for (const reason of Object.keys(BAND_LABEL) as ThrottleBand['reason'][]) {
    const spans = bands
      .filter((b) => b.reason === reason && uuids.has(b.gpu_uuid))
      .map((b) => ({ from: Date.parse(b.from), to: Date.parse(b.to) }))
      .sort((a, b) => a.from - b.from);
    let cur: { from: number; to: number } | undefined;
    for (const s of spans) {
      if (cur !== undefined && s.from <= cur.to + gapMs) cur.to = Math.max(cur.to, s.to);
      else {
        if (cur !== undefined) out.push({ ...cur, label: BAND_LABEL[reason], color: BAND_COLOR[reason] });
        cur = { ...s };
      }
    }
    if (cur !== undefined) out.push({ ...cur, label: BAND_LABEL[reason], color: BAND_COLOR[reason] });
  }
  return out;
}

/** Marker kinds drawn on the charts (jobs and model loads are too many; they are in the event list). */
const MARKER_KINDS: Partial<Record<EventMarker['kind'], string>> = {
  runtime_start: '#4c78a8',
  runtime_ready: '#54a24b',
  oom: '#e45756',
  error: '#b279a2',
};

export function eventMarkers(markers: EventMarker[], gpuIndex: number | undefined): Marker[] {
  return markers
    .filter((m) => MARKER_KINDS[m.kind] !== undefined && (gpuIndex === undefined || m.gpu_index === null || m.gpu_index === gpuIndex))
    .map((m) => ({ t: Date.parse(m.ts), label: m.kind === 'oom' ? 'OOM' : m.kind.replace('_', ' '), color: MARKER_KINDS[m.kind] ?? '#888' }));
}

export function hostColumns(points: HostSeriesPoint[]): SeriesPoint[] {
  return points.map((p) => ({
    t: Date.parse(p.t),
    cpu: p.cpu_ratio,
    mem: p.memory_used_bytes,
    disk_read: p.disk_read_bytes_per_s,
    disk_write: p.disk_write_bytes_per_s,
    net_rx: p.net_rx_bytes_per_s,
    net_tx: p.net_tx_bytes_per_s,
  }));
}
