// Validates deploy/prometheus and deploy/alertmanager with the real tools: promtool check config
// (with rule files), promtool check rules, promtool test rules (alert unit tests), amtool
// check-config. Debian's promtool is built without Kubernetes service discovery, so the Kubernetes
// variant is checked with its kubernetes_sd_configs swapped for empty static_configs (every other
// field, relabelling regexes included, still goes through promtool) plus a structural check.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_SEVERITIES } from '@renderwatch/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const PROM = join(ROOT, 'deploy/prometheus');

function tool(bin: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('deploy/prometheus', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rw-prom-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('prometheus.yml passes promtool check config, rule files included', () => {
    const r = tool('/usr/bin/promtool', ['check', 'config', 'prometheus.yml'], PROM);
    expect(r.out).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(r.out).toContain('SUCCESS: 10 rules found');
    expect(r.status).toBe(0);
  });

  it('the file_sd targets example lists host:9477 targets with labels', () => {
    const groups = parse(readFileSync(join(PROM, 'targets/agents.yml'), 'utf8')) as { targets: string[]; labels: Record<string, string> }[];
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      for (const t of g.targets) expect(t).toMatch(/^[\w.-]+:9477$/);
      expect(Object.keys(g.labels)).toContain('site');
    }
  });

  it('prometheus-kubernetes.yml keeps agent pods by label and port name and passes promtool without the SD block', () => {
    const cfg = parse(readFileSync(join(PROM, 'prometheus-kubernetes.yml'), 'utf8')) as { scrape_configs: Record<string, unknown>[] };
    const agent = cfg.scrape_configs.find((s) => s.job_name === 'renderwatch-agent');
    expect(agent?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['renderwatch'] } }]);
    const keeps = ((agent?.relabel_configs ?? []) as { action?: string; regex?: string }[]).filter((r) => r.action === 'keep').map((r) => r.regex);
    expect(keeps).toEqual(['renderwatch-agent', 'metrics']);
    for (const s of cfg.scrape_configs) {
      delete s.kubernetes_sd_configs;
      s.static_configs = [{ targets: [] }];
    }
    cpSync(join(PROM, 'rules'), join(scratch, 'rules'), { recursive: true });
    writeFileSync(join(scratch, 'k8s.yml'), stringify(cfg));
    const r = tool('/usr/bin/promtool', ['check', 'config', 'k8s.yml'], scratch);
    expect(r.out).toContain('SUCCESS: k8s.yml is valid prometheus config file syntax');
    expect(r.status).toBe(0);
  });

  it('alert rules pass promtool check rules and every rule has severity and summary', () => {
    const r = tool('/usr/bin/promtool', ['check', 'rules', 'rules/renderwatch-agent.rules.yml'], PROM);
    expect(r.status, r.out).toBe(0);
    const rules = (
      parse(readFileSync(join(PROM, 'rules/renderwatch-agent.rules.yml'), 'utf8')) as {
        groups: { rules: { alert: string; labels: { severity: string }; annotations: { summary: string; runbook_url: string } }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    expect(rules.map((x) => x.alert)).toContain('RenderwatchGpuXid');
    for (const x of rules) {
      expect(ALERT_SEVERITIES).toContain(x.labels.severity);
      expect(x.annotations.summary.length).toBeGreaterThan(10);
      // Runbook links point at docs that exist (and at a heading that exists).
      const [file = '', anchor] = x.annotations.runbook_url.split('#');
      const doc = readFileSync(join(ROOT, file), 'utf8');
      if (anchor !== undefined)
        expect(
          doc
            .toLowerCase()
            .replace(/[^a-z0-9\n ]/g, '')
            .replace(/ /g, '-'),
          x.annotations.runbook_url,
        ).toContain(anchor);
    }
  });

  it('prometheus-kubernetes.yml sends its alerts to an Alertmanager', () => {
    const cfg = parse(readFileSync(join(PROM, 'prometheus-kubernetes.yml'), 'utf8')) as {
      alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
    };
    const targets = (cfg.alerting?.alertmanagers ?? []).flatMap((a) => (a.static_configs ?? []).flatMap((c) => c.targets));
    expect(targets).toEqual(['alertmanager.monitoring.svc:9093']);
    // the same Alertmanager the collector notifies
    expect(readFileSync(join(ROOT, 'deploy/k8s/base/collector-configmap.yaml'), 'utf8')).toContain(
      'COLLECTOR_ALERTMANAGER_URL: http://alertmanager.monitoring.svc:9093',
    );
  });

  it('every shipped alert rule has promtool unit tests that expect it to fire', () => {
    const rules = (parse(readFileSync(join(PROM, 'rules/renderwatch-agent.rules.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] }).groups.flatMap(
      (g) => g.rules.map((r) => r.alert),
    );
    const tests = parse(readFileSync(join(PROM, 'rules/renderwatch-agent.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect(rules.filter((r) => !firing.has(r))).toEqual([]);
    expect(tests.tests.map((t) => (t as { name?: string }).name)).toEqual(
      expect.arrayContaining(['first XID of a code on a GPU', 'driver upgrade restart', 'GPUs vanish', 'scrape gap']),
    );
  });

  it('alert rules fire as their promtool unit tests expect', () => {
    const r = tool('/usr/bin/promtool', ['test', 'rules', 'renderwatch-agent.test.yml'], join(PROM, 'rules'));
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('alertmanager.yml passes amtool check-config', () => {
    const r = tool('/usr/bin/amtool', ['check-config', 'alertmanager.yml'], join(ROOT, 'deploy/alertmanager'));
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
