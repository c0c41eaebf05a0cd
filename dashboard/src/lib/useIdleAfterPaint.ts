import { useEffect, useState } from 'react';

/**
 * False until the frame after mount has painted and the browser is then idle (or 3 s have passed):
 * for work that would otherwise land right after a page's first paint on a busy machine — Recharts
 * taking over a chart, a secondary panel's burst of requests.
 */
export function useIdleAfterPaint(skip = false): boolean {
  const [done, setDone] = useState(skip || typeof requestAnimationFrame !== 'function');
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
