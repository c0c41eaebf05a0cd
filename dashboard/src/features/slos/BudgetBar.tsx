import { formatPercent } from '../../lib/format.js';
import { budgetBar } from './slo-view.js';

export function BudgetBar({ remaining }: { remaining: number | null }) {
  const w = budgetBar(remaining);
  const tone = remaining === null ? 'muted' : remaining <= 0 ? 'bad' : remaining < 0.25 ? 'warn' : 'ok';
  return (
    <span className="budget" title="error budget remaining over the SLO window: 1 − bad ÷ (allowed bad)" data-testid="budget">
      <span className={`budget-bar budget-${tone}`}>
        <span style={{ width: `${Math.round(w * 100)}%` }} />
      </span>
      <span className="budget-text">{remaining === null ? 'no events' : `${formatPercent(remaining)} left`}</span>
    </span>
  );
}
