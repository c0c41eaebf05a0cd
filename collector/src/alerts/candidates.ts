// Turns SLO evaluations and rule instances into alert candidates with their label sets.
import { SLO_BURN_SEVERITY, type AlertRuleSpec, type SloSpec } from '@renderwatch/schema';
import { durationS, formatDurationS } from '../slo/duration.js';
import type { SloEvaluation } from '../slo/evaluate.js';
import { generatorUrl } from './alert-store.js';
import type { AlertCandidate } from './alert-types.js';
import { RULE_ALERTNAMES, type RuleInstance } from './rules.js';

const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));

/** One candidate per burn class (page, ticket) whose burn-rate pairs fire, as Sloth does; severity critical / warning (SLO_BURN_SEVERITY). */
export function sloCandidates(tenant: string, spec: SloSpec, e: SloEvaluation, base: string): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const opts = spec.alerting[severity];
    const firing = e.pairs.filter((p) => p.severity === severity && p.firing);
    if (!opts.enabled || firing.length === 0) continue;
    const sev = opts.severity ?? SLO_BURN_SEVERITY[severity];
    const labels = { ...spec.labels, ...opts.labels, alertname: 'SloErrorBudgetBurn', slo: spec.name, severity: sev, tenant };
    const detail = firing.map((p) => `${fmt(p.burnLong)}× over ${p.longName} and ${fmt(p.burnShort)}× over ${p.shortName} (limit ${p.factor}×)`).join('; ');
    out.push({
      source: 'slo',
      rule: spec.name,
      alertname: 'SloErrorBudgetBurn',
      severity: sev,
      labels,
      annotations: {
        summary: `${spec.display_name ?? spec.name} is burning its error budget`,
        description: `burn rate ${detail}; budget remaining ${fmt(e.budgetRemaining)} of a ${formatDurationS(durationS(spec.window))} window`,
        ...(spec.alerting.runbook_url === undefined ? {} : { runbook_url: spec.alerting.runbook_url }),
        ...spec.alerting.annotations,
      },
      value: Math.max(...firing.map((p) => p.burnLong ?? 0)),
      forS: opts.for === undefined ? 0 : durationS(opts.for),
      generatorUrl: generatorUrl(base, 'slo', spec.name, ''),
    });
  }
  return out;
}

export function ruleCandidate(
  tenant: string,
  rule: AlertRuleSpec,
  inst: RuleInstance,
  base: string,
  fingerprintOf: (labels: Record<string, string>) => string,
): AlertCandidate {
  const alertname = RULE_ALERTNAMES[rule.kind];
  const labels = { ...rule.labels, ...inst.labels, alertname, rule: rule.name, severity: rule.severity, tenant };
  return {
    source: 'rule',
    rule: rule.name,
    alertname,
    severity: rule.severity,
    labels,
    annotations: { summary: inst.summary, ...(rule.runbook_url === undefined ? {} : { runbook_url: rule.runbook_url }) },
    value: inst.value,
    forS: durationS(rule.for),
    generatorUrl: generatorUrl(base, 'rule', rule.name, fingerprintOf(labels)),
  };
}
