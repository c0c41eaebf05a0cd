// Mounts its children once they scroll near the viewport (IntersectionObserver); until then a box
// of the same height. Where IntersectionObserver is missing, children mount at once. `order` staggers
// heavy siblings: the n-th mounts n × 30 ms after it becomes visible, so the first chart paints
// before the others are rendered instead of all of them appearing together.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function WhenVisible({ height, order = 0, children }: { height: number; order?: number; children: ReactNode }) {
  const [visible, setVisible] = useState(() => typeof IntersectionObserver === 'undefined');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (visible || el === null) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && timer === undefined) timer = setTimeout(() => setVisible(true), order * 30);
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => {
      io.disconnect();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [visible, order]);
  return visible ? <>{children}</> : <div ref={ref} className="chart" style={{ height: height + 40 }} aria-hidden="true" />;
}
