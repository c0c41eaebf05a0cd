// deploy/alertmanager/alertmanager.yml against what actually sends it alerts: the Prometheus rules
// (deploy/prometheus/rules) and the collector's SLO burn and threshold alerts built from its shipped
// SLO file (collector/slo/default-slos.yaml). Routing with the real `amtool config routes test`;
// inhibition by posting alerts to a real Alertmanager (Debian 0.25) and reading its API v2.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSloFile, ruleCandidate, sloCandidates } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { ALERT_SEVERITIES, type AlertSeverity, type SloSpec } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stop } from './peer-dashboards-harness.js';

const ROOT = join(import.meta.dirname, '../..');
const AM_CONFIG = join(ROOT, 'deploy/alertmanager/alertmanager.yml');
const RULES = join(ROOT, 'deploy/prometheus/rules/renderwatch-agent.rules.yml');
const RULE_TESTS = join(ROOT, 'deploy/prometheus/rules/renderwatch-agent.test.yml');

/** Where each severity must land: critical pages, the rest goes to the ops channel. */
const RECEIVER: Record<AlertSeverity, string> = { critical: 'ops-page', warning: 'ops', info: 'ops' };

type Labels = Record<string, string>;
interface PromRule {
  alert: string;
  expr: string;
  labels: { severity: string };
}

const promRules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules);

const pair = (alert: 'page_fast' | 'page_slow' | 'ticket', severity: 'page' | 'ticket') => ({
  alert,
  severity,
  longName: '1h',
  shortName: '5m',
  factor: 1,
  burnLong: 20,
  burnShort: 20,
  firing: true,
  guarded: false,
});

/** Label sets of every alert the collector's shipped SLO file can raise: SLO burn pairs all firing, one instance per rule. */
function collectorAlerts(): Labels[] {
  const parsed = parseSloFile(readFileSync(join(ROOT, 'collector/slo/default-slos.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const burning = {
    good: 0,
    valid: 100,
    sli: 0,
    budgetRemaining: 0,
    periodBurnRate: 20,
    windows: [],
    pairs: [pair('page_fast', 'page'), pair('ticket', 'ticket')],
    status: 'page' as const,
  };
  const slo = parsed.file.slos.flatMap((s: SloSpec) => sloCandidates('default', s, burning, 'http://rw.example').map((c) => c.labels));
  const rules = parsed.file.alerts.map(
    (r) => ruleCandidate('default', r, { labels: { host: 'gpu-node-01' }, value: 1, summary: 's' }, 'http://rw.example', () => 'fp').labels,
  );
  return [...slo, ...rules];
}

function routeOf(labels: Labels): string {
  const args = ['config', 'routes', 'test', `--config.file=${AM_CONFIG}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const r = spawnSync('/usr/bin/amtool', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`amtool failed: ${r.stderr}`);
  return r.stdout.trim();
}

const fromCollector = collectorAlerts();
const fromRules: Labels[] = promRules.map((r) => ({ alertname: r.alert, severity: r.labels.severity, instance: 'gpu-node-01:9477', host: 'gpu-node-01' }));

describe('alert severities and routes (amtool config routes test)', () => {
  it('the collector raises page-class and ticket-class SLO alerts and every threshold rule from its shipped file', () => {
    const names = fromCollector.map((l) => `${l.alertname}/${l.slo ?? l.rule}/${l.severity}`);
    expect(names).toContain('SloErrorBudgetBurn/warm-start-ready/critical');
    expect(names).toContain('SloErrorBudgetBurn/warm-start-ready/warning');
    const ruleAlerts = names.filter((n) => !n.startsWith('SloErrorBudgetBurn'));
    expect(ruleAlerts).toEqual(
      expect.arrayContaining([
        'AgentSilent/agent-silent/critical',
        'DiskNearlyFull/disk-nearly-full/warning',
        'GpuTemperatureHigh/gpu-hot/warning',
        'GpuXidError/gpu-xid/critical',
        'OomStorm/oom-storm/critical',
        'OutputLost/output-lost/critical',
      ]),
    );
    // one per rule of the shipped file, whatever rules it gains
    expect(ruleAlerts.length).toBe((parse(readFileSync(join(ROOT, 'collector/slo/default-slos.yaml'), 'utf8')) as { alerts: unknown[] }).alerts.length);
  });

  it('every severity the collector and the rules emit is one of the shared vocabulary', () => {
    for (const l of [...fromCollector, ...fromRules]) expect(ALERT_SEVERITIES, `${l.alertname} severity=${l.severity}`).toContain(l.severity);
  });

  it('the collector page-class SLO burn alert reaches the paging receiver', () => {
    const page = fromCollector.find((l) => l.alertname === 'SloErrorBudgetBurn' && l.slo === 'warm-start-ready' && l.severity !== 'warning');
    expect(page).toBeDefined();
    expect(routeOf(page ?? {})).toBe('ops-page');
  });

  it.each(ALERT_SEVERITIES.map((s) => [s, RECEIVER[s]] as const))('severity=%s routes to %s', (severity, receiver) => {
    expect(routeOf({ alertname: 'Anything', severity, tenant: 'default' })).toBe(receiver);
  });

  it.each([...fromRules, ...fromCollector].map((l) => [`${l.alertname}${l.slo === undefined ? '' : `/${l.slo}`}`, l.severity, l] as const))(
    '%s (severity=%s) routes by its severity',
    (_name, severity, labels) => {
      expect(routeOf(labels)).toBe(RECEIVER[severity as AlertSeverity]);
    },
  );
});

describe('inhibition in a real Alertmanager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-am-inhibit-'));
  let am: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    am = spawn(
      '/usr/bin/prometheus-alertmanager',
      [`--config.file=${AM_CONFIG}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: 'ignore' },
    );
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('alertmanager did not become ready');
  });
  afterAll(async () => {
    // its storage dir is removed below: wait for it to exit, not only to be told
    await stop(am);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every GPU rule keeps the scrape target instance through its aggregations', () => {
    const gpu = promRules.filter((r) => r.alert.startsWith('RenderwatchGpu'));
    expect(gpu.length).toBe(5);
    for (const r of gpu) for (const m of r.expr.matchAll(/\bby \(([^)]*)\)/g)) expect(m[1]?.split(/,\s*/), r.alert).toContain('instance');
  });

  it('suppresses the GPU alerts of a host whose agent is down, and only those', async () => {
    // The label sets the promtool tests prove the rules emit (exp_labels with an instance).
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Labels }[] }[] }[] };
    const emitted: Labels[] = tests.tests.flatMap((t) =>
      t.alert_rule_test.flatMap((a) => a.exp_alerts.map((e) => ({ alertname: a.alertname, ...e.exp_labels }))),
    );
    const down = emitted.find((l) => l.alertname === 'RenderwatchAgentDown' && l.instance !== undefined);
    const gpuKinds = [
      ...new Map(emitted.filter((l) => (l.alertname ?? '').startsWith('RenderwatchGpu') && l.instance !== undefined).map((l) => [l.alertname, l])).values(),
    ];
    expect(gpuKinds.map((l) => l.alertname).sort()).toEqual([
      'RenderwatchGpuHot',
      'RenderwatchGpuMissing',
      'RenderwatchGpuSamplingStalled',
      'RenderwatchGpuThrottled',
      'RenderwatchGpuXid',
    ]);
    const on = (l: Labels, instance: string, host: string): Labels => ({ ...l, instance, host });
    const silent = fromCollector.find((l) => l.alertname === 'AgentSilent') ?? {};
    const xid = fromCollector.find((l) => l.alertname === 'GpuXidError') ?? {};
    const posted: Labels[] = [
      // RenderwatchAgentDown comes from `up`: it has the target's instance, no host label
      { ...down, instance: 'gpu-node-01:9477' },
      ...gpuKinds.map((l) => on(l, 'gpu-node-01:9477', 'gpu-node-01')),
      ...gpuKinds.map((l) => on(l, 'gpu-node-02:9477', 'gpu-node-02')),
      { ...silent, host: 'h1' },
      { ...xid, host: 'h1', gpu: '0' },
      { ...xid, host: 'h2', gpu: '0' },
    ];
    const now = Date.now();
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(posted.map((labels) => ({ labels, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() }))),
    });
    expect(res.status).toBe(200);
    const got = (await (await fetch(`${url}/api/v2/alerts`)).json()) as { labels: Labels; status: { state: string; inhibitedBy: string[] } }[];
    expect(got.length).toBe(posted.length);
    const state = got.map((a) => `${a.labels.alertname} ${a.labels.instance ?? a.labels.host} ${a.status.state} ${a.status.inhibitedBy.length}`).sort();
    expect(state).toEqual(
      [
        'AgentSilent h1 active 0',
        'GpuXidError h1 suppressed 1',
        'GpuXidError h2 active 0',
        'RenderwatchAgentDown gpu-node-01:9477 active 0',
        ...gpuKinds.map((l) => `${l.alertname} gpu-node-01:9477 suppressed 1`),
        ...gpuKinds.map((l) => `${l.alertname} gpu-node-02:9477 active 0`),
      ].sort(),
    );
  });
});
