import { formatPercent } from '../../lib/format.js';
import { budgetBar } from './slo-view.js';

export function BudgetBar({ remaining }: { remaining: number | null }) {
  const over = remaining !== null && remaining <= 0;
  // an exhausted budget draws a full red bar: "empty" would read as "nothing to see"
  const w = over ? 1 : budgetBar(remaining);
  const tone = remaining === null ? 'muted' : remaining <= 0 ? 'bad' : remaining < 0.25 ? 'warn' : 'ok';
  return (
    <span className="budget" title="error budget remaining over the SLO window: 1 − bad ÷ (allowed bad)" data-testid="budget">
      <span className={`budget-bar budget-${tone}`}>
        <span style={{ width: `${Math.round(w * 100)}%` }} />
      </span>
      <span className="budget-text">
        {remaining === null ? 'no events' : over ? `exhausted (${formatPercent(remaining)})` : `${formatPercent(remaining)} left`}
      </span>
    </span>
  );
}
