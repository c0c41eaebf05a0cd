// The time-series chart loaded on demand: Recharts is most of the bundle, so pages paint their
// tables and numbers first and the charts stream in (same height placeholder, no layout jump).
import { lazy, Suspense } from 'react';
import { ChartFrame } from './ChartFrame.js';
import type { TimeSeriesChartProps } from './TimeSeriesChart.js';

const Impl = lazy(() => import('./TimeSeriesChart.js').then((m) => ({ default: m.TimeSeriesChart })));

export function LazyTimeSeriesChart(p: TimeSeriesChartProps) {
  return (
    <Suspense
      fallback={
        <ChartFrame title={p.title} explain={p.explain} loading height={p.height ?? 220}>
          {null}
        </ChartFrame>
      }
    >
      <Impl {...p} />
    </Suspense>
  );
}
