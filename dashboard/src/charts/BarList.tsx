// Horizontal count bars as plain HTML: exact numbers readable (and testable) beside each bar.
import type { ReactNode } from 'react';

export interface BarItem {
  key: string;
  label: ReactNode;
  value: number;
  /** Text after the bar (defaults to the value). */
  valueText?: string;
  title?: string;
  onClick?: () => void;
  active?: boolean;
}

export function BarList({ items, testId, emptyText = 'None in this range.' }: { items: BarItem[]; testId?: string; emptyText?: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  if (items.length === 0) return <div className="state state-empty">{emptyText}</div>;
  return (
    <ul className="barlist" data-testid={testId}>
      {items.map((i) => (
        <li key={i.key} title={i.title} className={i.active === true ? 'active' : undefined}>
          {i.onClick === undefined ? (
            <span className="barlist-label">{i.label}</span>
          ) : (
            <button type="button" className="barlist-label linklike" onClick={i.onClick}>
              {i.label}
            </button>
          )}
          <span className="barlist-bar" style={{ width: `${(100 * i.value) / max}%` }} />
          <span className="barlist-value">{i.valueText ?? String(i.value)}</span>
        </li>
      ))}
    </ul>
  );
}
