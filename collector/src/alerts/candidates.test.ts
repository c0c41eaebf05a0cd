// SLO evaluations and rule instances → alert candidates: which burn classes make an alert, its
// severity, labels (precedence), text and value, worked by hand.
import { SloSpecSchema, type AlertRuleSpec, type SloSpecInput } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import type { PairResult, SloEvaluation } from '../slo/evaluate.js';
import { ruleCandidate, sloCandidates } from './candidates.js';

const spec = (over: Partial<SloSpecInput> = {}) =>
  SloSpecSchema.parse({ name: 'warm-start-ready', indicator: { kind: 'warm_start', threshold: '5m' }, objective: 99, window: '30d', ...over });

function pair(
  alert: PairResult['alert'],
  severity: 'page' | 'ticket',
  firing: boolean,
  burnLong: number | null,
  burnShort: number | null,
  factor: number,
): PairResult {
  const names: Record<string, [string, string]> = { page_fast: ['1h', '5m'], page_slow: ['6h', '30m'], ticket: ['3d', '6h'] };
  const [longName, shortName] = names[alert] ?? ['?', '?'];
  return { alert, severity, longName, shortName, factor, burnLong, burnShort, firing, guarded: false };
}

function evaluation(pairs: PairResult[], budgetRemaining: number | null = 0.25): SloEvaluation {
  return { good: 90, valid: 100, sli: 0.9, budgetRemaining, periodBurnRate: 0.75, windows: [], pairs, status: 'ok' };
}

describe('sloCandidates', () => {
  it('makes one critical candidate for the firing page pairs, with the worst long burn as value', () => {
    const e = evaluation([
      pair('page_fast', 'page', true, 20, 30, 14.4),
      pair('page_slow', 'page', true, 7.5, 8, 6),
      pair('ticket', 'ticket', false, 2, 0.5, 1),
    ]);
    const [c, ...rest] = sloCandidates('t1', spec({ labels: { team: 'render' } }), e, 'http://rw.example');
    expect(rest).toEqual([]);
    // strict: no runbook_url key at all when the SLO has none
    expect(c).toStrictEqual({
      source: 'slo',
      rule: 'warm-start-ready',
      alertname: 'SloErrorBudgetBurn',
      severity: 'critical',
      labels: { team: 'render', alertname: 'SloErrorBudgetBurn', slo: 'warm-start-ready', severity: 'critical', tenant: 't1' },
      annotations: {
        summary: 'warm-start-ready is burning its error budget',
        description:
          'burn rate 20.00× over 1h and 30.00× over 5m (limit 14.4×); 7.50× over 6h and 8.00× over 30m (limit 6×); budget remaining 0.25 of a 30d window',
      },
      value: 20,
      forS: 0,
      generatorUrl: 'http://rw.example/slos/warm-start-ready',
    });
  });

  it('makes a warning candidate for a firing ticket pair, and both when both classes fire', () => {
    const ticketOnly = sloCandidates('t1', spec(), evaluation([pair('page_fast', 'page', false, 2, 1, 14.4), pair('ticket', 'ticket', true, 1.5, 1.2, 1)]), '');
    expect(ticketOnly.map((c) => [c.severity, c.value])).toEqual([['warning', 1.5]]);
    const both = sloCandidates('t1', spec(), evaluation([pair('page_fast', 'page', true, 15, 15, 14.4), pair('ticket', 'ticket', true, 1.5, 1.2, 1)]), '');
    expect(both.map((c) => c.severity)).toEqual(['critical', 'warning']);
    expect(sloCandidates('t1', spec(), evaluation([pair('page_fast', 'page', false, 20, 1, 14.4)]), '')).toEqual([]);
  });

  it('honours disabled classes, severity and label overrides, for, display name, runbook and annotations; n/a for missing numbers', () => {
    const s = spec({
      display_name: 'Warm start to ready',
      labels: { team: 'render', slo: 'spoofed' },
      alerting: {
        page: { enabled: false },
        ticket: { enabled: true, severity: 'critical', labels: { team: 'oncall', extra: 'x' }, for: '15m' },
        runbook_url: 'docs/slos.md#runbook-slow-starts',
        annotations: { dashboard: 'http://d' },
      },
    });
    const cs = sloCandidates(
      't9',
      s,
      evaluation([pair('page_fast', 'page', true, 20, 20, 14.4), pair('ticket', 'ticket', true, null, 2, 1)], null),
      'http://b',
    );
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({
      severity: 'critical',
      labels: { team: 'oncall', extra: 'x', alertname: 'SloErrorBudgetBurn', slo: 'warm-start-ready', severity: 'critical', tenant: 't9' },
      annotations: {
        summary: 'Warm start to ready is burning its error budget',
        description: 'burn rate n/a× over 3d and 2.00× over 6h (limit 1×); budget remaining n/a of a 30d window',
        runbook_url: 'docs/slos.md#runbook-slow-starts',
        dashboard: 'http://d',
      },
      value: 0,
      forS: 900,
    });
  });
});

describe('ruleCandidate', () => {
  const rule: AlertRuleSpec = { name: 'gpu-hot', kind: 'gpu_temperature', threshold: 90, for: '5m', severity: 'warning', labels: { team: 'infra', rule: 'x' } };

  it('labels: rule labels, then the instance, then the fixed ones; fingerprint from the final labels', () => {
    const seen: Array<Record<string, string>> = [];
    const c = ruleCandidate('t1', rule, { labels: { host: 'h1', gpu: '0', team: 'gpu' }, summary: 'GPU 0 of h1 at 93 °C', value: 93 }, 'http://b', (l) => {
      seen.push(l);
      return 'abcdef0123456789';
    });
    const labels = { team: 'gpu', rule: 'gpu-hot', host: 'h1', gpu: '0', alertname: 'GpuTemperatureHigh', severity: 'warning', tenant: 't1' };
    expect(c).toStrictEqual({
      source: 'rule',
      rule: 'gpu-hot',
      alertname: 'GpuTemperatureHigh',
      severity: 'warning',
      labels,
      annotations: { summary: 'GPU 0 of h1 at 93 °C' },
      value: 93,
      forS: 300,
      generatorUrl: 'http://b/alerts?fingerprint=abcdef0123456789',
    });
    expect(seen).toEqual([labels]);
  });

  it('adds the runbook when the rule has one', () => {
    const c = ruleCandidate('t1', { ...rule, runbook_url: 'docs/slos.md#runbook-hot-gpus' }, { labels: {}, summary: 's', value: 0 }, '', () => 'f');
    expect(c.annotations).toEqual({ summary: 's', runbook_url: 'docs/slos.md#runbook-hot-gpus' });
  });
});
