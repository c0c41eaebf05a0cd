// Checks grafana/dashboards/*.json against the dashboard JSON model (required fields, unique panel
// ids, grid inside 24 columns without overlaps, datasource and target shapes, defined template
// variables), the provisioning YAML, that the JSON is what grafana/build-dashboards.mjs generates,
// and that every PromQL expression parses (promtool check rules).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'grafana/dashboards');

interface Target {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  editorType?: string;
  rawSql?: string;
  format?: number;
  expr?: string;
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
}
interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  time?: { from?: string; to?: string };
  panels?: Panel[];
  templating?: { list?: Variable[] };
  annotations?: { list?: unknown[] };
  tags?: string[];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string): Dashboard => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard;
const PANEL_TYPES = new Set(['timeseries', 'table', 'stat', 'barchart', 'piechart', 'gauge', 'bargauge', 'text', 'row']);
const DS_TYPES = new Set(['grafana-clickhouse-datasource', 'prometheus']);
const BUILTINS = new Set([
  '__timeFilter',
  '__fromTime',
  '__toTime',
  '__interval_s',
  '__conditionalAll',
  '__rate_interval',
  '__range',
  '__interval',
  '__dateFilter',
]);

function referencedVars(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)) out.add(m[1] ?? m[2] ?? '');
  return [...out].filter((v) => !BUILTINS.has(v));
}

/** The datasource plugins a dashboard lists in __requires. */
function required(f: string): string[] {
  const d = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Record<'__requires', { type: string; id: string }[]>;
  return d['__requires']
    .filter((r) => r.type === 'datasource')
    .map((r) => r.id)
    .sort();
}
function used(f: string): string[] {
  const text = readFileSync(join(DIR, f), 'utf8');
  const d = JSON.parse(text) as { panels: { datasource?: { type: string }; targets?: { datasource?: { type: string } }[] }[] };
  const ids = new Set<string>();
  for (const p of d.panels) {
    if (p.datasource !== undefined) ids.add(p.datasource.type);
    for (const t of p.targets ?? []) if (t.datasource !== undefined) ids.add(t.datasource.type);
  }
  for (const v of load(f).templating?.list ?? []) if (v.type === 'datasource') ids.add(String(v.query));
  return [...ids].filter((id) => DS_TYPES.has(id)).sort();
}

describe('grafana dashboard JSON model', () => {
  it('has the six dashboards with unique uids', () => {
    expect(files).toEqual(['agents-prometheus.json', 'capacity.json', 'fleet.json', 'gpu-detail.json', 'oom.json', 'slo.json']);
    const uids = files.map((f) => load(f).uid);
    expect(new Set(uids).size).toBe(files.length);
  });

  it.each(files)('%s has the required top-level fields', (f) => {
    const d = load(f);
    expect(d.uid).toMatch(/^[\w-]{1,40}$/);
    expect(typeof d.title).toBe('string');
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(d.time).toEqual({ from: expect.stringMatching(/^now-/), to: 'now' });
    expect(Array.isArray(d.panels) && d.panels.length > 0).toBe(true);
    expect(Array.isArray(d.templating?.list)).toBe(true);
    expect(Array.isArray(d.annotations?.list)).toBe(true);
  });

  it.each(files)('%s has unique panel ids and a grid inside 24 columns without overlaps', (f) => {
    const panels = load(f).panels ?? [];
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && (id ?? 0) > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const g = p.gridPos;
      expect(g, p.title).toBeDefined();
      if (g === undefined) continue;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x += 1) {
        for (let y = g.y; y < g.y + g.h; y += 1) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it.each(files)('%s panels have a type, a datasource and well-formed targets', (f) => {
    for (const p of load(f).panels ?? []) {
      expect(PANEL_TYPES.has(p.type ?? ''), `${p.title}: type ${p.type}`).toBe(true);
      expect(p.title).toBeTruthy();
      expect(DS_TYPES.has(p.datasource?.type ?? '')).toBe(true);
      const targets = p.targets ?? [];
      expect(targets.length).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      for (const t of targets) {
        expect(t.datasource?.type).toBe(p.datasource?.type);
        if (t.datasource?.type === 'grafana-clickhouse-datasource') {
          expect(t.editorType).toBe('sql');
          expect([0, 1, 2]).toContain(t.format);
          expect(t.rawSql).toMatch(/^SELECT /);
          expect(t.rawSql, 'tenant filter first').toMatch(/tenant = \$\{tenant:singlequote\}/);
          expect(t.rawSql, 'no toStartOfInterval on ClickHouse 18.16').not.toMatch(/\$__timeInterval|toStartOfInterval/);
          if (p.type === 'timeseries') expect(t.format).toBe(0);
        } else {
          expect(typeof t.expr).toBe('string');
        }
      }
    }
  });

  it.each(files)('%s defines every template variable its queries use', (f) => {
    const d = load(f);
    const defined = new Set((d.templating?.list ?? []).map((v) => v.name));
    const text = JSON.stringify({ panels: d.panels, vars: (d.templating?.list ?? []).map((v) => v.query) });
    for (const v of referencedVars(text)) expect(defined.has(v), `$${v} in ${f}`).toBe(true);
  });

  it('requires exactly the datasource plugins its panels and variables query (the Prometheus dashboard needs no ClickHouse plugin)', () => {
    expect(used('agents-prometheus.json')).toEqual(['prometheus']);
    expect(required('agents-prometheus.json')).toEqual(['prometheus']);
    for (const f of files) expect(required(f), f).toEqual(used(f));
  });

  it('references only provisioned datasource uids as variable defaults', () => {
    const prov = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/renderwatch.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: { uid: string; type: string; name: string; jsonData?: Record<string, unknown> }[];
    };
    expect(prov.apiVersion).toBe(1);
    const uids = new Map(prov.datasources.map((d) => [d.uid, d.type]));
    expect(uids.get('renderwatch-clickhouse')).toBe('grafana-clickhouse-datasource');
    expect(uids.get('renderwatch-prometheus')).toBe('prometheus');
    const ch = prov.datasources.find((d) => d.type === 'grafana-clickhouse-datasource');
    expect(Object.keys(ch?.jsonData ?? {})).toEqual(expect.arrayContaining(['host', 'port', 'protocol', 'username', 'defaultDatabase']));
    for (const f of files) {
      for (const v of load(f).templating?.list ?? []) {
        if (v.type !== 'datasource') continue;
        const value = String(v.current?.value);
        expect(uids.get(value), `${f} ${v.name}`).toBe(v.query);
      }
    }
  });

  it('points the dashboard provider at a folder and a path', () => {
    const prov = parse(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/renderwatch.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: { name: string; type: string; options: { path: string } }[];
    };
    expect(prov.apiVersion).toBe(1);
    expect(prov.providers).toHaveLength(1);
    expect(prov.providers[0]).toMatchObject({ name: 'renderwatch', type: 'file', options: { path: '/var/lib/grafana/dashboards/renderwatch' } });
  });

  it('matches what grafana/build-dashboards.mjs generates', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'grafana/build-dashboards.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has PromQL that promtool parses', () => {
    const exprs = files.flatMap((f) => (load(f).panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr).filter((e): e is string => e !== undefined)));
    expect(exprs.length).toBeGreaterThanOrEqual(6);
    const rules = exprs.map((e, i) => ({ record: `grafana:panel_${i}:check`, expr: e.replaceAll('$host', '.*').replaceAll('$__rate_interval', '5m') }));
    const dir = mkdtempSync(join(tmpdir(), 'rw-promql-'));
    try {
      const file = join(dir, 'panels.rules.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'grafana-panels', rules }] }));
      const r = spawnSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
