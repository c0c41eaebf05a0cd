// api-latency --history demo: every API route the dashboard calls, timed on the demo's own history
// (simulator fillHistory: the story fleet's days sent through the agents' export path and gRPC, as
// `npm run demo` and dashboard-load do), plus the capacity rollup and one alert-evaluator tick.
// Each route's p50/p90 is printed as a ratio to the same run's baseline, timed between the route's
// calls: /readyz (the collector pinging ClickHouse: one trivial round trip through both processes);
// /healthz (never touches ClickHouse) is printed beside it. With the CPU model and the load average.
//   npm run bench -- api-latency --history demo [--days 7] [--runs 12] [--clickhouse URL] [--keep] [--reuse DB] [--compare DIR] [--routes cost,campaigns]
// `--keep` keeps the seeded database (its name is printed); `--reuse DB` measures it again without
// seeding. `--compare DIR` also starts the collector of another checkout (e.g. `git worktree add DIR
// <commit before a change>` with its `pnpm install`) on the same database and times both, call for
// call, each against its own /readyz: before and after in one run.
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCollectorConfig, refreshCapacity, startCollector } from '@renderwatch/collector';
import { demoFleetSpecs, fillHistory } from '@renderwatch/simulator';
import pino from 'pino';
import { benchClickHouse, machineLine, percentile } from './bench-env.js';

export interface DemoOptions {
  days: number;
  runs: number;
  clickhouse: string;
  keep: boolean;
  reuse: string;
  /** Another checkout whose collector is measured beside this one, call for call; '' for none. */
  compare: string;
  /** Only the probes whose name starts with one of these (comma-separated); '' for all. */
  routes: string;
}

const PRICES = 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80';

/** One timed thing: a request, or several sent at once (a page that fans out). */
interface Probe {
  name: string;
  paths: string[];
  /** What an earlier dashboard asked (kept for before/after): not in the headline. */
  legacy?: boolean;
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function get(base: string, path: string): Promise<string> {
  const r = await fetch(`${base}${path}`);
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${body.slice(0, 300)}`);
  return body;
}

/** Wall time of one probe: its requests sent together, until the last answer is read. */
async function timeProbe(base: string, p: Probe): Promise<number> {
  const t = performance.now();
  await Promise.all(p.paths.map((x) => get(base, x)));
  return performance.now() - t;
}

/** The routes the dashboard's pages call (dashboard/src/app/route-data.ts and the features' api.ts), over `days`. */
async function probes(base: string, days: number, now: number): Promise<Probe[]> {
  const w = (s: number): string => `from=${new Date(now - s * 1000).toISOString()}&to=${new Date(now).toISOString()}`;
  const d = w(days * 86400);
  const h1 = w(3600);
  const fleet = JSON.parse(await get(base, '/api/v1/fleet')) as { hosts: { host: string }[] };
  const hosts = fleet.hosts.map((h) => h.host);
  const host = hosts.includes('rack-b-a10g-01') ? 'rack-b-a10g-01' : (hosts[0] ?? 'none');
  const camps = JSON.parse(await get(base, `/api/v1/campaigns?${d}`)) as { rows: { id: string; interruptions: number }[] };
  const camp = (camps.rows.find((c) => c.interruptions > 0) ?? camps.rows[0])?.id;
  const enc = encodeURIComponent;
  const out: Probe[] = [
    { name: 'fleet', paths: ['/api/v1/fleet'] },
    { name: 'fleet/utilization 1h', paths: [`/api/v1/fleet/utilization?${h1}&hosts_limit=60`] },
    { name: 'fleet/utilization', paths: [`/api/v1/fleet/utilization?${d}&hosts_limit=60`] },
    { name: 'fleet/summary 1h', paths: [`/api/v1/fleet/summary?${h1}`] },
    { name: 'fleet/summary', paths: [`/api/v1/fleet/summary?${d}`] },
    { name: 'hosts/:host/series', paths: [`/api/v1/hosts/${enc(host)}/series?${d}`] },
    { name: 'slos', paths: ['/api/v1/slos'] },
    { name: 'slos/:name', paths: [`/api/v1/slos/batch-job-completion?${d}`] },
    { name: 'alerts active', paths: ['/api/v1/alerts?state=active'] },
    { name: 'alerts all', paths: ['/api/v1/alerts?limit=500'] },
    { name: 'ooms', paths: [`/api/v1/ooms?${d}&limit=200`] },
    { name: 'slowdowns', paths: [`/api/v1/slowdowns?${d}&baseline_days=7`] },
    { name: 'capacity', paths: [`/api/v1/capacity?${d}`] },
    { name: 'starts', paths: [`/api/v1/starts?${d}`] },
    { name: 'starts/first-images', paths: [`/api/v1/starts/first-images?${d}`] },
    { name: 'cost', paths: [`/api/v1/cost?${d}`] },
    { name: 'cost by=campaign', paths: [`/api/v1/cost?${d}&by=campaign`] },
    { name: `cost ×${hosts.length} host= (old)`, paths: hosts.map((h) => `/api/v1/cost?${d}&host=${enc(h)}`), legacy: true },
    { name: 'versions', paths: [`/api/v1/versions?${d}`] },
    { name: 'jobs/stats host 1d', paths: [`/api/v1/jobs/stats?host=${enc(host)}&${w(86400)}`] },
    { name: 'campaigns', paths: [`/api/v1/campaigns?${d}`] },
  ];
  if (camp !== undefined) out.push({ name: 'campaigns/:id', paths: [`/api/v1/campaigns/${enc(camp)}?${d}`] });
  // the grouped answer the Cost page asks for instead of one request per host (when the collector has it)
  const byHost = await fetch(`${base}/api/v1/cost?${d}&by=host`);
  if (byHost.status === 200) out.splice(out.length - 4, 0, { name: 'cost by=host', paths: [`/api/v1/cost?${d}&by=host`] });
  return out;
}

/** The p-th percentile of unsorted values. */
const pct = (xs: number[], p: number): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    p,
  );

interface Figures {
  p50: number;
  p90: number;
  /** p50 of the baseline (/readyz) timed between this route's calls on the same collector. */
  b50: number;
}

/**
 * Each probe on each target in turn, every run: the baseline (/readyz: the collector pinging ClickHouse,
 * one trivial round trip through both processes), /healthz (no ClickHouse), then the probe. A target
 * that refuses a probe (an older collector without the route) shows a dash.
 */
async function measure(targets: { label: string; base: string }[], list: Probe[], runs: number): Promise<{ name: string; of: (Figures | undefined)[] }[]> {
  const cols = targets.map((t) => `${`${t.label} p50`.padStart(10)}${'p90'.padStart(8)}${'p50×'.padStart(7)}${'p90×'.padStart(7)}`).join(' |');
  console.log(`${'route (7 d unless named)'.padEnd(26)}${cols}   (ms; × the p50 of /readyz timed between its calls)`);
  const out: { name: string; of: (Figures | undefined)[] }[] = [];
  const health: number[] = [];
  for (const p of list) {
    const times = targets.map((): number[] => []);
    const bases = targets.map((): number[] => []);
    const refused = targets.map(() => false);
    for (let i = 0; i < runs + 2; i++) {
      for (const [k, t] of targets.entries()) {
        if (refused[k] === true) continue;
        const b = await timeProbe(t.base, { name: 'readyz', paths: ['/readyz'] });
        const h = await timeProbe(t.base, { name: 'healthz', paths: ['/healthz'] });
        const ms = await timeProbe(t.base, p).catch(() => undefined);
        if (ms === undefined) refused[k] = true;
        if (i < 2 || ms === undefined) continue;
        health.push(h);
        bases[k]?.push(b);
        times[k]?.push(ms);
      }
    }
    const of = targets.map((_, k): Figures | undefined =>
      refused[k] === true ? undefined : { p50: pct(times[k] ?? [], 50), p90: pct(times[k] ?? [], 90), b50: pct(bases[k] ?? [], 50) },
    );
    out.push({ name: p.name, of });
    const cells = of.map((f) =>
      f === undefined
        ? `${'—'.padStart(10)}${''.padStart(22)}`
        : `${f.p50.toFixed(1).padStart(10)}${f.p90.toFixed(1).padStart(8)}${(f.p50 / f.b50).toFixed(1).padStart(7)}${(f.p90 / f.b50).toFixed(1).padStart(7)}`,
    );
    console.log(`${p.name.padEnd(26)}${cells.join(' |')}`);
  }
  const b = targets.map((_, k) =>
    pct(
      out.map((r) => r.of[k]?.b50 ?? Number.NaN).filter((x) => Number.isFinite(x)),
      50,
    ).toFixed(2),
  );
  console.log(`baseline /readyz p50 ${b.join(' / ')} ms (${targets.map((t) => t.label).join(' / ')}), /healthz p50 ${pct(health, 50).toFixed(2)} ms`);
  return out;
}

export async function runDemo(o: DemoOptions): Promise<void> {
  console.log(machineLine());
  const ch = o.clickhouse === '' ? await benchClickHouse() : { url: o.clickhouse, close: async () => {} };
  const database = o.reuse !== '' ? o.reuse : `rw_bench_api_demo_${Date.now()}`;
  const parsed = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: ch.url,
    COLLECTOR_CLICKHOUSE_DATABASE: database,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_GPU_PRICES: PRICES,
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const collector = await startCollector(parsed.config, pino({ level: 'silent' }));
  // --compare DIR: the collector of another checkout (e.g. a worktree of the commit before a change) on the same database
  const other =
    o.compare === ''
      ? undefined
      : await ((await import(join(resolve(o.compare), 'collector', 'src', 'index.ts'))) as { startCollector: typeof startCollector }).startCollector(
          parsed.config,
          pino({ level: 'silent' }),
        );
  try {
    if (o.reuse === '') {
      const t0 = Date.now();
      console.log(`api-latency: seeding the demo's ${o.days}-day history into ${database} (load average ${load()})`);
      const p = await fillHistory({
        specs: demoFleetSpecs(),
        address: `127.0.0.1:${collector.grpcPort}`,
        endMs: Date.now(),
        days: o.days,
        log: pino({ level: 'silent' }),
      });
      if (p.failedBatches > 0) throw new Error(`seeding: ${p.failedBatches} batches refused`);
      await refreshCapacity(collector.storage, new Date(Date.now() - (o.days * 24 + 1) * 3600_000), new Date(Date.now() + 3600_000));
      await collector.evaluator.tick();
      console.log(`seeded: ${demoFleetSpecs().length} hosts, ${p.rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const base = `http://127.0.0.1:${collector.httpPort}`;
    const only = o.routes === '' ? [] : o.routes.split(',');
    const list = (await probes(base, o.days, Date.now())).filter((p) => only.length === 0 || only.some((r) => p.name.startsWith(r)));
    const targets = [{ label: 'this', base }];
    if (other !== undefined) targets.push({ label: 'other', base: `http://127.0.0.1:${other.httpPort}` });
    console.log(`measuring ${database}: ${o.runs} runs per route after 2 warm-ups (load average ${load()})`);
    const rows = await measure(targets, list, o.runs);
    const current = rows.filter((r) => list.find((p) => p.name === r.name)?.legacy !== true);
    const worst = current.reduce((a, r) => ((r.of[0]?.p90 ?? 0) > (a.of[0]?.p90 ?? 0) ? r : a));
    const w = worst.of[0];
    console.log(`load average at the end ${load()}`);
    if (w !== undefined)
      console.log(`api-latency: demo ${o.days} d worst p90 ${worst.name} ${w.p90.toFixed(0)} ms, ${(w.p90 / w.b50).toFixed(0)}× baseline (target < 300 ms)`);
    if (o.keep || o.reuse !== '') console.log(`kept database ${database}`);
  } finally {
    await other?.stop();
    await collector.stop();
    await ch.close();
  }
}
