import type { ReactNode } from 'react';

export interface ChartFrameProps {
  title: string;
  /** What the chart shows and how its numbers are computed (shown under "?"). */
  explain?: string;
  loading?: boolean;
  empty?: boolean;
  emptyText?: string;
  height: number;
  children: ReactNode;
  testId?: string;
}

/** Title, explanation and the loading/empty states every chart shares; keeps its height so the page does not jump. */
export function ChartFrame({
  title,
  explain,
  loading = false,
  empty = false,
  emptyText = 'No data in this range.',
  height,
  children,
  testId,
}: ChartFrameProps) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        {title}
        {explain === undefined ? null : (
          <span className="explain" tabIndex={0} role="note" aria-label={explain} title={explain}>
            ?
          </span>
        )}
      </figcaption>
      {loading ? (
        <div className="chart-placeholder" style={{ height }} role="status">
          Loading…
        </div>
      ) : empty ? (
        <div className="chart-placeholder" style={{ height }} data-testid="chart-empty">
          {emptyText}
        </div>
      ) : (
        children
      )}
    </figure>
  );
}
