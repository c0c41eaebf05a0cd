// The time-series chart loaded on demand: Recharts is most of the bundle. Until its chunk is loaded
// and parsed, a chart is drawn by QuickChart (plain SVG paths of the same rows), so the page's lines
// are on screen first; the Recharts chunk is requested only after that first paint (two animation
// frames later, then the browser's next idle period), and then takes over with axes and tooltips.
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

/**
 * True once the frame after mount has painted (a chart's SVG lines are on screen by then) and the
 * browser is idle: evaluating Recharts and drawing the charts with it is one long task (~1 s on a
 * loaded 2-core machine), so it waits until the page's first frame and answers are handled.
 */
function useAfterPaint(): boolean {
  const [done, setDone] = useState(loaded || typeof requestAnimationFrame !== 'function');
  useEffect(() => {
    if (done) return undefined;
    let idle: number | undefined;
    const whenIdle = () => {
      if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(() => setDone(true), { timeout: 3000 });
      else setDone(true);
    };
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(whenIdle);
    });
    return () => {
      cancelAnimationFrame(id);
      if (idle !== undefined) cancelIdleCallback(idle);
    };
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
