import type { ReactNode } from 'react';

/** A focusable "?" that explains the number next to it (hover or keyboard focus shows the text). */
export function Explain({ text }: { text: string }) {
  return (
    <span className="explain" tabIndex={0} role="note" aria-label={text} title={text}>
      ?
    </span>
  );
}

export interface TileProps {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  explain: string;
  tone?: 'ok' | 'warn' | 'bad' | 'muted';
  testId?: string;
}

/** A headline number with its label and explanation. */
export function Tile({ label, value, detail, explain, tone = 'ok', testId }: TileProps) {
  return (
    <div className={`tile tile-${tone}`} data-testid={testId}>
      <div className="tile-label">
        {label} <Explain text={explain} />
      </div>
      <div className="tile-value">{value}</div>
      {detail === undefined ? null : <div className="tile-detail">{detail}</div>}
    </div>
  );
}
