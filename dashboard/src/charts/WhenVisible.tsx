// Mounts its children once they scroll near the viewport (IntersectionObserver); until then a box
// of the same height. Where IntersectionObserver is missing, children mount at once.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function WhenVisible({ height, children }: { height: number; children: ReactNode }) {
  const [visible, setVisible] = useState(() => typeof IntersectionObserver === 'undefined');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (visible || el === null) return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setVisible(true);
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [visible]);
  return visible ? <>{children}</> : <div ref={ref} className="chart" style={{ height: height + 40 }} aria-hidden="true" />;
}
