// Recharts line chart with a time axis, unit-aware ticks and tooltips, optional bands (e.g. throttle
// reasons) and markers (runtime events) on the same time axis.
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useMemo } from 'react';
import { formatClock } from '../lib/format.js';
import { ChartFrame } from './ChartFrame.js';
import { downsample } from './downsample.js';
import { formatUnit, type ChartUnit } from './units.js';

export type SeriesPoint = { t: number } & Record<string, number | null>;

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface Band {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface Marker {
  t: number;
  label: string;
  color: string;
}

export interface Threshold {
  value: number;
  label: string;
  color: string;
}

export interface TimeSeriesChartProps {
  title: string;
  explain?: string;
  data: SeriesPoint[];
  series: Series[];
  unit: ChartUnit;
  domain?: [number, number];
  bands?: Band[];
  markers?: Marker[];
  /** Horizontal reference lines (e.g. burn-rate alert thresholds). */
  thresholds?: Threshold[];
  loading?: boolean;
  emptyText?: string;
  height?: number;
  /** Fixed width (tests; ResponsiveContainer needs ResizeObserver); default fills the container. */
  width?: number;
  testId?: string;
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

export function TimeSeriesChart(p: TimeSeriesChartProps) {
  const height = p.height ?? 220;
  // at most two points per pixel (min/max kept per bucket); 700 px when the container sets the width
  const data = useMemo(
    () =>
      downsample(
        p.data,
        p.series.map((s) => s.key),
        p.width ?? 700,
      ),
    [p.data, p.series, p.width],
  );
  const empty = p.data.length === 0 || p.data.every((d) => p.series.every((s) => d[s.key] === null || d[s.key] === undefined));
  // Bands and markers are unlabeled on the plot (hundreds of labels are unreadable); a legend names them.
  const legend = [
    ...uniqueBy(p.bands ?? [], (b) => b.label).map((b) => ({
      kind: 'band' as const,
      label: b.label,
      color: b.color,
      title: 'shaded where this clock-event reason was active',
    })),
    ...uniqueBy(p.markers ?? [], (m) => m.label).map((m) => ({
      kind: 'marker' as const,
      label: m.label,
      color: m.color,
      title: 'dashed line at each such event',
    })),
  ];
  const chart = (
    <LineChart data={data} width={p.width} height={p.width === undefined ? undefined : height} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={['dataMin', 'dataMax']}
        tickFormatter={(t: number) => formatClock(t)}
        stroke="var(--muted)"
        minTickGap={40}
      />
      <YAxis domain={p.domain ?? ['auto', 'auto']} tickFormatter={(v: number) => formatUnit(p.unit, v)} stroke="var(--muted)" width={72} />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(t) => formatClock(Number(t))}
        formatter={(v) => formatUnit(p.unit, typeof v === 'number' ? v : null)}
        contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
      />
      {p.series.length > 1 ? <Legend /> : null}
      {(p.bands ?? []).map((b, i) => (
        <ReferenceArea key={`b${i}`} x1={b.from} x2={b.to} fill={b.color} fillOpacity={0.18} stroke="none" ifOverflow="hidden" />
      ))}
      {(p.markers ?? []).map((m, i) => (
        <ReferenceLine key={`m${i}`} x={m.t} stroke={m.color} strokeDasharray="2 2" ifOverflow="hidden" />
      ))}
      {(p.thresholds ?? []).map((h, i) => (
        <ReferenceLine
          key={`h${i}`}
          y={h.value}
          stroke={h.color}
          strokeDasharray="4 3"
          ifOverflow="extendDomain"
          label={{ value: h.label, position: 'insideTopRight', fontSize: 10, fill: h.color }}
        />
      ))}
      {p.series.map((s) => (
        <Line
          key={s.key}
          type="linear"
          dataKey={s.key}
          name={s.label}
          stroke={s.color}
          dot={false}
          strokeWidth={2}
          connectNulls={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
  return (
    <ChartFrame title={p.title} explain={p.explain} loading={p.loading} empty={empty} emptyText={p.emptyText} height={height} testId={p.testId}>
      {legend.length === 0 ? null : (
        <div className="chart-legend small" data-testid="chart-legend">
          {legend.map((l) => (
            <span key={l.label} title={l.title}>
              <span className="swatch" style={{ background: l.color, opacity: l.kind === 'band' ? 0.45 : 1 }} />
              {l.label}
            </span>
          ))}
        </div>
      )}
      {p.width === undefined ? (
        <ResponsiveContainer width="100%" height={height}>
          {chart}
        </ResponsiveContainer>
      ) : (
        chart
      )}
    </ChartFrame>
  );
}
