// Test support for the peer-dashboard tests: the real agent daemon on the fake libnvidia-ml, a real
// Prometheus (Debian's 2.42) scraping it, and the PromQL expressions of a stock Grafana dashboard
// with its template variables filled in. Every process binds 127.0.0.1 and is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@renderwatch/devkit';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PEERS = join(ROOT, 'agent', 'test', 'fixtures', 'peers');

export interface DashboardExpr {
  panel: string;
  expr: string;
}

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

/** Every PromQL expression of a dashboard's panels (rows included), in panel order. */
export function dashboardExprs(file: string): DashboardExpr[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const out: DashboardExpr[] = [];
  const walk = (ps: readonly Panel[]): void => {
    for (const p of ps) {
      if (p.panels !== undefined) walk(p.panels);
      for (const t of p.targets ?? []) if (t.expr !== undefined && t.expr.trim() !== '') out.push({ panel: p.title ?? '', expr: t.expr });
    }
  };
  walk(d.panels ?? []);
  return out;
}

/** Metric names an expression reads (identifiers before `{` or a `__name__=~"prefix.+"` matcher). */
export function metricsOf(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b([A-Za-z_:][A-Za-z0-9_:]*)\s*\{/g))
    if (m[1] !== undefined && !/^(sum|max|min|avg|count|rate|increase)$/.test(m[1])) names.add(m[1]);
  for (const m of expr.matchAll(/__name__=~"([A-Za-z0-9_]+)/g)) if (m[1] !== undefined) names.add(`${m[1]}*`);
  return [...names];
}

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export async function until<T>(f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function stop(p: ChildProcess | undefined): Promise<void> {
  if (p?.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

/** The agent daemon as a process: NVML source on the fake library, /metrics on a free port. */
export async function startAgent(o: {
  fakeNvml: string;
  scenario: string;
  stateDir: string;
  args: string[];
  host: string;
  env?: Readonly<Record<string, string>>;
}): Promise<{ proc: ChildProcess; port: number }> {
  const port = await freePort();
  const nowhere = await freePort(); // no collector: delivery retries, /metrics is what is tested
  const proc = spawn(join(ROOT, 'agent', 'bin', 'renderwatch-agent'), ['run', '--sample-interval-ms', '500', ...o.args], {
    env: {
      ...process.env,
      FAKE_NVML_SCENARIO: o.scenario,
      AGENT_GPU_SOURCE: 'nvml',
      AGENT_NVML_LIB: o.fakeNvml,
      AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${nowhere}`,
      AGENT_HOSTNAME: o.host,
      AGENT_STATE_DIR: o.stateDir,
      AGENT_METRICS_HOST: '127.0.0.1',
      AGENT_METRICS_PORT: String(port),
      AGENT_LOG_LEVEL: 'error',
      ...o.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
  await until(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined), 30_000);
  return { proc, port };
}

/** Prometheus scraping `targets` (job name → host:port) every second. */
export async function startPrometheus(
  dir: string,
  targets: Readonly<Record<string, string>>,
): Promise<{ proc: ChildProcess; query: (q: string) => Promise<PromResult[]> }> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: Object.entries(targets).map(([job, target]) => ({ job_name: job, static_configs: [{ targets: [target] }] })),
    }),
  );
  const proc = spawn(
    '/usr/bin/prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const query = async (q: string): Promise<PromResult[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromResult[] | [number, string] } };
    if (body.status !== 'success') throw new Error(`${body.error ?? 'query failed'}: ${q}`);
    const r = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: r as [number, string] }];
    return (r ?? []) as PromResult[];
  };
  await until(async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined), 30_000);
  return { proc, query };
}
