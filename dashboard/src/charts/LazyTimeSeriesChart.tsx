// The time-series chart loaded on demand: Recharts is most of the bundle. Until its chunk is loaded
// and parsed, a chart is drawn by QuickChart (plain SVG paths of the same rows), so the page's lines
// are on screen first; the Recharts chunk is requested only after that first paint (two animation
// frames later, then the browser's next idle period), and then takes over with axes and tooltips.
import { lazy, Suspense } from 'react';
import { useIdleAfterPaint } from '../lib/useIdleAfterPaint.js';
import { QuickChart } from './QuickChart.js';
import type { TimeSeriesChartProps } from './TimeSeriesChart.js';

let loaded = false;
const load = () =>
  import('./TimeSeriesChart.js').then((m) => {
    loaded = true;
    return m;
  });
const Impl = lazy(() => load().then((m) => ({ default: m.TimeSeriesChart })));

export function LazyTimeSeriesChart(p: TimeSeriesChartProps) {
  // evaluating Recharts and drawing with it is one long task (~1 s on a loaded 2-core machine)
  const ready = useIdleAfterPaint(loaded);
  if (!ready) return <QuickChart {...p} />;
  return (
    <Suspense fallback={<QuickChart {...p} />}>
      <Impl {...p} />
    </Suspense>
  );
}
