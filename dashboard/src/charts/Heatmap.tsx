// Rows × time grid (e.g. hosts × time, colour = utilization). Plain CSS grid: cheaper than SVG
// for hundreds of cells, and every cell has a readable title.
import type { ReactNode } from 'react';
import { formatClock } from '../lib/format.js';
import { formatUnit, type ChartUnit } from './units.js';

export interface HeatmapRow {
  id: string;
  label: string;
  /** value per column (same order as `columns`), null when no data. */
  values: (number | null)[];
  /** Where the row label links to (keyboard users reach the row's detail through it). */
  href?: string;
}

export interface HeatmapProps {
  /** Renders a row label link (the app's router Link), so charts stay router-agnostic. */
  renderLink?: (href: string, label: string) => ReactNode;
  columns: number[];
  rows: HeatmapRow[];
  unit: ChartUnit;
  /** Value that maps to full colour (e.g. 1 for a ratio). */
  max: number;
  onCellClick?: (rowId: string, t: number) => void;
  testId?: string;
}

export function heatColor(v: number | null, max: number): string {
  if (v === null) return 'var(--heat-none)';
  const x = Math.max(0, Math.min(1, v / max));
  // one hue, light → dark: reads as "more" in both themes and for colour-blind eyes
  return `hsl(${(205 + 25 * x).toFixed(0)} ${(55 + 25 * x).toFixed(0)}% ${(90 - 58 * x).toFixed(0)}%)`;
}

export function Heatmap({ columns, rows, unit, max, onCellClick, renderLink, testId }: HeatmapProps) {
  const template = `minmax(120px, 180px) repeat(${Math.max(1, columns.length)}, minmax(3px, 1fr))`;
  return (
    <div className="heatmap" data-testid={testId} role="grid" aria-label="heatmap">
      {rows.map((r) => (
        <div key={r.id} className="heatmap-row" style={{ gridTemplateColumns: template }} role="row">
          <span className="heatmap-label" role="rowheader" title={r.label}>
            {r.href !== undefined && renderLink !== undefined ? renderLink(r.href, r.label) : r.label}
          </span>
          {r.values.map((v, i) => {
            const t = columns[i] ?? 0;
            const text = `${r.label} · ${formatClock(t)} · ${formatUnit(unit, v)}`;
            return (
              <span
                key={t}
                role="gridcell"
                className="heatmap-cell"
                title={text}
                aria-label={text}
                style={{ background: heatColor(v, max), cursor: onCellClick === undefined ? undefined : 'pointer' }}
                onClick={onCellClick === undefined ? undefined : () => onCellClick(r.id, t)}
              />
            );
          })}
        </div>
      ))}
      {columns.length > 1 ? (
        <div className="heatmap-axis" style={{ gridTemplateColumns: template }}>
          <span />
          <span>{formatClock(columns[0] ?? 0)}</span>
          <span style={{ gridColumn: `-2 / -1`, justifySelf: 'end' }}>{formatClock(columns[columns.length - 1] ?? 0)}</span>
        </div>
      ) : null}
    </div>
  );
}
