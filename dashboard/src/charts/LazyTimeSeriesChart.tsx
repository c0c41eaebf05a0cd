// The time-series chart loaded on demand: Recharts is most of the bundle, so pages paint their
// tables and numbers first and the charts stream in (same height placeholder, no layout jump).
import { lazy, Suspense } from 'react';
import { ChartFrame } from './ChartFrame.js';
import type { TimeSeriesChartProps } from './TimeSeriesChart.js';

const load = () => import('./TimeSeriesChart.js');
const Impl = lazy(() => load().then((m) => ({ default: m.TimeSeriesChart })));

/** Starts fetching the chart code without rendering (pages call it while their data loads). */
export function preloadCharts(): void {
  void load();
}

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
