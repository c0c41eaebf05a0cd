import type { BurnWindow } from '@renderwatch/schema';
import { formatNumber } from '../../lib/format.js';
import { BURN_THRESHOLDS } from './slo-view.js';

/** Burn rate per alert window as bars against each window's alert threshold. */
export function BurnWindows({ windows }: { windows: BurnWindow[] }) {
  if (windows.length === 0) return <span className="muted">—</span>;
  return (
    <span className="burns">
      {windows.map((w) => {
        const limit = BURN_THRESHOLDS[w.window];
        const over = limit !== undefined && w.burn_rate !== null && w.burn_rate >= limit;
        const scale = Math.max(limit ?? 1, w.burn_rate ?? 0, 1);
        return (
          <span
            key={w.window}
            className={`burn${over ? ' burn-over' : ''}`}
            data-testid={`burn-${w.window}`}
            title={`${w.window}: ${w.valid - w.good} bad of ${w.valid} events → burn rate ${w.burn_rate === null ? 'n/a' : formatNumber(w.burn_rate, 2)}×${limit === undefined ? '' : ` (alerts at ${limit}×)`}`}
          >
            <span className="burn-label">{w.window}</span>
            <span className="burn-track">
              <span style={{ width: `${Math.round((100 * Math.min(w.burn_rate ?? 0, scale)) / scale)}%` }} />
            </span>
            <span className="burn-value">{w.burn_rate === null ? '—' : `${formatNumber(w.burn_rate, 1)}×`}</span>
          </span>
        );
      })}
    </span>
  );
}
