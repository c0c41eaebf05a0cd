// api-latency --history demo: every API route the dashboard calls, timed on the demo's own history
// (simulator fillHistory: the story fleet's days sent through the agents' export path and gRPC, as
// `npm run demo` and dashboard-load do), plus the capacity rollup and one alert-evaluator tick.
// Each route's p50/p90 is printed beside the same run's baseline (/healthz, which never touches
// ClickHouse, timed between the route's calls), as a ratio, with the CPU model and the load average.
//   npm run bench -- api-latency --history demo [--days 7] [--runs 15] [--clickhouse URL] [--keep] [--reuse DB]
// `--keep` keeps the seeded database (its name is printed); `--reuse DB` measures it again without
// seeding (e.g. the same data under another build of the collector).
import { loadavg } from 'node:os';
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
}

const PRICES = 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80';

/** One timed thing: a request, or several sent at once (a page that fans out). */
interface Probe {
  name: string;
  paths: string[];
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
    { name: `cost ×${hosts.length} host=`, paths: hosts.map((h) => `/api/v1/cost?${d}&host=${enc(h)}`) },
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
    const list = await probes(base, o.days, Date.now());
    const baseline: Probe = { name: 'baseline /healthz', paths: ['/healthz'] };
    console.log(`measuring ${database}: ${o.runs} runs per route after 2 warm-ups (load average ${load()})`);
    console.log(`${'route (7 d unless named)'.padEnd(28)}${'p50 ms'.padStart(9)}${'p90 ms'.padStart(9)}${'p50 ×'.padStart(9)}${'p90 ×'.padStart(9)}`);
    const base50: number[] = [];
    const rows: { name: string; p50: number; p90: number; b50: number }[] = [];
    for (const p of list) {
      const times: number[] = [];
      const bases: number[] = [];
      for (let i = 0; i < o.runs + 2; i++) {
        const b = await timeProbe(base, baseline);
        const t = await timeProbe(base, p);
        if (i < 2) continue;
        bases.push(b);
        times.push(t);
      }
      const s = [...times].sort((a, b) => a - b);
      const bs = [...bases].sort((a, b) => a - b);
      const b50 = percentile(bs, 50);
      base50.push(b50);
      const row = { name: p.name, p50: percentile(s, 50), p90: percentile(s, 90), b50 };
      rows.push(row);
      console.log(
        `${p.name.padEnd(28)}${row.p50.toFixed(1).padStart(9)}${row.p90.toFixed(1).padStart(9)}${(row.p50 / b50).toFixed(1).padStart(9)}${(row.p90 / b50).toFixed(1).padStart(9)}`,
      );
    }
    const b = percentile(
      [...base50].sort((a, c) => a - c),
      50,
    );
    const worst = rows.reduce((a, r) => (r.p90 > a.p90 ? r : a));
    console.log(`baseline /healthz p50 ${b.toFixed(2)} ms (median over the routes' interleaved calls); load average at the end ${load()}`);
    console.log(
      `api-latency: demo ${o.days} d worst p90 ${worst.name} ${worst.p90.toFixed(0)} ms, ${(worst.p90 / worst.b50).toFixed(0)}× baseline (target < 300 ms)`,
    );
    if (o.keep || o.reuse !== '') console.log(`kept database ${database}`);
  } finally {
    await collector.stop();
    await ch.close();
  }
}
