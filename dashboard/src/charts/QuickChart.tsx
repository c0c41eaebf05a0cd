// The first paint of a time-series chart without Recharts: one SVG path per series (and the bands
// as rectangles) from the same rows, drawn while the Recharts chunk loads. LazyTimeSeriesChart
// swaps it for the full chart (axes, tooltip) once that code is parsed — on a starved CPU the
// page's lines are on screen seconds earlier.
import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame.js';
import { downsample } from './downsample.js';
import type { TimeSeriesChartProps } from './TimeSeriesChart.js';
import { formatUnit } from './units.js';

const W = 600;

export function QuickChart(p: TimeSeriesChartProps) {
  const height = p.height ?? 220;
  const drawn = useMemo(() => {
    const keys = p.series.map((s) => s.key);
    const rows = downsample(p.data, keys, p.width ?? W);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows)
      for (const k of keys) {
        const v = r[k];
        if (typeof v === 'number') [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      }
    if (p.domain !== undefined) [lo, hi] = [Math.min(lo, p.domain[0]), Math.max(hi, p.domain[1])];
    if (!Number.isFinite(lo)) return undefined;
    if (hi === lo) hi = lo + 1;
    const t0 = rows[0]?.t ?? 0;
    const t1 = rows[rows.length - 1]?.t ?? t0 + 1;
    const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * W);
    const y = (v: number) => height - ((v - lo) / (hi - lo)) * height;
    const paths = p.series.map((s) => {
      let d = '';
      let pen = false;
      for (const r of rows) {
        const v = r[s.key];
        if (typeof v !== 'number') {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${x(r.t).toFixed(1)} ${y(v).toFixed(1)}`;
        pen = true;
      }
      return { key: s.key, color: s.color, d };
    });
    const bands = (p.bands ?? [])
      .filter((b) => b.to >= t0 && b.from <= t1)
      .map((b) => ({ x: x(Math.max(b.from, t0)), w: Math.max(1, x(Math.min(b.to, t1)) - x(Math.max(b.from, t0))), color: b.color }));
    return { paths, bands, lo, hi };
  }, [p.data, p.series, p.domain, p.bands, p.width, height]);
  return (
    <ChartFrame title={p.title} explain={p.explain} loading={p.loading} empty={drawn === undefined} emptyText={p.emptyText} height={height} testId={p.testId}>
      {drawn === undefined ? null : (
        <div className="quick-chart" style={{ position: 'relative', height }}>
          <svg width="100%" height={height} viewBox={`0 0 ${W} ${height}`} preserveAspectRatio="none" role="img" aria-label={p.title}>
            {drawn.bands.map((b, i) => (
              <rect key={i} x={b.x} y={0} width={b.w} height={height} fill={b.color} fillOpacity={0.18} />
            ))}
            {drawn.paths.map((l) => (
              <path key={l.key} className="quick-line" d={l.d} fill="none" stroke={l.color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
            ))}
          </svg>
          <span className="small muted" style={{ position: 'absolute', top: 0, left: 4 }}>
            {formatUnit(p.unit, drawn.hi)}
          </span>
          <span className="small muted" style={{ position: 'absolute', bottom: 0, left: 4 }}>
            {formatUnit(p.unit, drawn.lo)}
          </span>
        </div>
      )}
    </ChartFrame>
  );
}
