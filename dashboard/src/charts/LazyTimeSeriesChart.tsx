// The time-series chart loaded on demand: Recharts is most of the bundle. Until its chunk is loaded
// and parsed, a chart is drawn by QuickChart (plain SVG paths of the same rows), so the page's lines
// are on screen first; the Recharts chunk is requested only after that first paint (two animation
// frames later), and then takes over with axes and tooltips.
import { lazy, Suspense, useEffect, useState } from 'react';
import { QuickChart } from './QuickChart.js';
import type { TimeSeriesChartProps } from './TimeSeriesChart.js';

let loaded = false;
const load = () =>
  import('./TimeSeriesChart.js').then((m) => {
    loaded = true;
    return m;
  });
const Impl = lazy(() => load().then((m) => ({ default: m.TimeSeriesChart })));

/** Starts fetching the chart code once the browser is idle (pages call it while their data loads). */
const loadNow = () => void load();

export function preloadCharts(): void {
  const go = loadNow;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(go, { timeout: 1000 });
  else setTimeout(go, 0);
}

/** True once the frame after mount has painted (a chart's SVG lines are on screen by then). */
function useAfterPaint(): boolean {
  const [done, setDone] = useState(loaded || typeof requestAnimationFrame !== 'function');
  useEffect(() => {
    if (done) return undefined;
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(() => setDone(true));
    });
    return () => cancelAnimationFrame(id);
  }, [done]);
  return done;
}

export function LazyTimeSeriesChart(p: TimeSeriesChartProps) {
  const ready = useAfterPaint();
  if (!ready) return <QuickChart {...p} />;
  return (
    <Suspense fallback={<QuickChart {...p} />}>
      <Impl {...p} />
    </Suspense>
  );
}
