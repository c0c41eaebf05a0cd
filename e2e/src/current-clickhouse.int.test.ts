// The collector on a current ClickHouse: every migration, then the same day of demo history through
// gRPC into two collectors — one on Debian's ClickHouse 18.16 (the test ClickHouse), one on ClickHouse
// 26 (chDB behind ./current-clickhouse/chdb-http.ts) — and every route the dashboard calls must answer
// the same on both. The migrations are written for 18.16 and adapted for newer servers by
// collector/src/storage/server-ddl.ts (docs/storage.md "ClickHouse versions").
import { demoFleetSpecs } from '@renderwatch/simulator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chdbMissing, startCurrentClickHouse, type CurrentClickHouse } from './current-clickhouse/chdb-process.js';
import { runDemoHistory } from './demo/demo-history.js';
import { startTestCollector } from './test-collector.js';

const missing = chdbMissing();
if (missing !== undefined) process.stdout.write(`current-clickhouse.int.test.ts: skipped: ${missing}\n`);

const PRICES = 'H100=2.49,A100=1.79,L40S=1.10,5090=0.89,4090=0.69,A10G=0.75,T4=0.35,*=0.80';
const ENV = { COLLECTOR_GPU_PRICES: PRICES, COLLECTOR_SLO_EVAL_INTERVAL_S: '0' };
/**
 * Keys whose values are a moment of the run, not of the data: the answer's, the on-call's
 * acknowledgement, a host's last batch arriving and whether that was over a minute ago (the two
 * collectors are filled side by side, each at its own pace).
 */
const VOLATILE = new Set(['generated_at', 'acknowledged_at', 'updated_at', 'last_seen', 'silent', 'hosts_up', 'hosts_silent']);
/**
 * Percentiles come from t-digest states, whose centroids the two versions merge differently: on the
 * demo's small per-model sets they differ by up to ~15% (seen: a 1-hour p50 of 15.6 s on 18.16 and
 * 13.4 s on 26.7; p99s of a few dozen jobs more). They must agree within half where the row counts
 * at least 50 events; below that only in being there (both numbers or both null): with a few
 * points one version interpolates between the middle two and the other picks one (407.6 s against
 * 132.9 s seen for a p50 of 4 jobs). Ratios the API
 * rounds to 4 decimals may differ by one in the last digit (the averages under them are float sums
 * in another order: 0.1563 against 0.1562 seen). Every other number, every integer, to 1e-9.
 */
const QUANTILE = /(^|_)p(50|90|95|99)(_|$)/;
const QUANTILE_TOLERANCE = 0.5;
const ROUNDED_STEP = 1e-4;
/** The count keys of a row, and how many events make its percentiles comparable. */
const COUNT_KEYS = ['jobs', 'count', 'n', 'starts', 'samples'];
const FEW = 50;

/** Whether a row counts fewer than FEW events (by the first count key it has). */
function fewEvents(row: Record<string, unknown>): boolean {
  const k = COUNT_KEYS.find((c) => typeof row[c] === 'number');
  return k !== undefined && (row[k] as number) < FEW;
}

type Collector = Awaited<ReturnType<typeof startTestCollector>>;

/** Where two answers differ (paths), numbers equal to 1e-9 relative (float sums in another order). */
export function differences(a: unknown, b: unknown, path = '$', out: string[] = [], few = false): string[] {
  if (out.length > 20) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    const quantile = QUANTILE.test(path.slice(path.lastIndexOf('.') + 1));
    if (quantile && few) return out;
    const tolerance = quantile ? QUANTILE_TOLERANCE : 1e-9;
    const lastDigit = !Number.isInteger(a) && !Number.isInteger(b) && Math.abs(a - b) <= ROUNDED_STEP * 1.000001;
    if (a !== b && !lastDigit && Math.abs(a - b) > tolerance * Math.max(Math.abs(a), Math.abs(b))) out.push(`${path}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const small = few || fewEvents(a as Record<string, unknown>);
    for (const k of keys) if (!VOLATILE.has(k)) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out, small);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`);
  return out;
}

/** `from=…&to=…` for the `seconds` before `endMs`. */
function lastSeconds(endMs: number, seconds: number): string {
  return `from=${new Date(endMs - seconds * 1000).toISOString()}&to=${new Date(endMs).toISOString()}`;
}

async function get(c: Collector, path: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`http://127.0.0.1:${c.httpPort}${path}`);
  return { status: r.status, body: JSON.parse(await r.text()) as unknown };
}

describe.skipIf(missing !== undefined)('the collector on ClickHouse 18.16 and on a current ClickHouse', () => {
  let ch: CurrentClickHouse;
  let old: Collector;
  let cur: Collector;
  const endMs = Date.now();

  async function fill(c: Collector): Promise<void> {
    const r = await runDemoHistory({
      cfg: c.config,
      collector: c,
      grpcAddress: `127.0.0.1:${c.grpcPort}`,
      baseUrl: `http://127.0.0.1:${c.httpPort}/`,
      days: 0.5,
      endMs,
      log: pino({ level: 'silent' }),
      say: () => undefined,
      specs: demoFleetSpecs(),
      sampleIntervalMs: 120_000,
    });
    expect(r.progress.failedBatches).toBe(0);
  }

  beforeAll(async () => {
    ch = await startCurrentClickHouse();
    old = await startTestCollector(inject('clickhouseUrl'), ENV);
    cur = await startTestCollector(ch.url, ENV);
    await Promise.all([fill(old), fill(cur)]);
  }, 400_000);

  afterAll(async () => {
    await cur?.stop();
    await ch?.stop();
    if (old !== undefined) {
      await old.stop();
      await fetch(`${inject('clickhouseUrl')}/?query=${encodeURIComponent(`DROP DATABASE IF EXISTS ${old.config.COLLECTOR_CLICKHOUSE_DATABASE}`)}`, {
        method: 'POST',
      });
    }
  });

  it('runs a current ClickHouse (26 or later)', () => {
    expect(Number(ch.version.split('.')[0])).toBeGreaterThanOrEqual(26);
  });

  it('the rollups whose plain columns lie outside the sorting key are the ones docs/storage.md lists (each a function of the key)', async () => {
    const q = `SELECT c.table AS t, arrayStringConcat(arraySort(groupArray(c.name)), ',') AS cols FROM system.columns c
      INNER JOIN system.tables t ON t.database = c.database AND t.name = c.table
      WHERE c.database = '${cur.config.COLLECTOR_CLICKHOUSE_DATABASE}' AND t.engine LIKE '%AggregatingMergeTree' AND c.is_in_sorting_key = 0
        AND c.type NOT LIKE '%AggregateFunction%'
      GROUP BY c.table ORDER BY c.table FORMAT TSV`;
    const text = await (await fetch(`${ch.url}/`, { method: 'POST', body: q })).text();
    expect(text.trim().split('\n')).toEqual([
      'gpu_1h\tgpu_index,gpu_name',
      'gpu_1m\tgpu_index,gpu_name',
      'gpu_cost_1d\tgpu_name',
      'gpu_cost_1h\tgpu_name',
      'gpu_energy_1h\tgpu_name',
    ]);
  });

  it('every route the dashboard calls answers the same on both servers', async () => {
    const d = lastSeconds(endMs, 43_200);
    const h1 = lastSeconds(endMs, 3600);
    const camps = (await get(old, `/api/v1/campaigns?${d}`)).body as { rows: { id: string; interruptions: number }[] };
    const camp = (camps.rows.find((c) => c.interruptions > 0) ?? camps.rows[0])?.id ?? 'none';
    const paths = [
      '/api/v1/fleet',
      `/api/v1/fleet/utilization?${h1}&hosts_limit=60`,
      `/api/v1/fleet/utilization?${d}&hosts_limit=60`,
      `/api/v1/fleet/summary?${d}`,
      `/api/v1/hosts/rack-b-a10g-01/series?${h1}`,
      `/api/v1/hosts/rack-b-a10g-01/series?${d}`,
      '/api/v1/slos',
      `/api/v1/slos/batch-job-completion?${d}`,
      '/api/v1/alerts?limit=500',
      `/api/v1/ooms?${d}&limit=200`,
      `/api/v1/slowdowns?${lastSeconds(endMs, 6 * 3600)}&baseline_days=1`,
      `/api/v1/capacity?${d}`,
      `/api/v1/starts?${d}`,
      `/api/v1/starts/first-images?${d}`,
      `/api/v1/cost?${d}`,
      `/api/v1/cost?${d}&by=host`,
      `/api/v1/cost?${d}&by=campaign`,
      `/api/v1/versions?${d}`,
      `/api/v1/jobs/stats?${d}`,
      `/api/v1/jobs/stats?host=ws-5090-01&${d}`,
      `/api/v1/jobs/stats?host=ws-5090-01&${h1}`,
      `/api/v1/events?${h1}&limit=500`,
      `/api/v1/campaigns?${d}`,
      `/api/v1/campaigns/${encodeURIComponent(camp)}?${d}`,
    ];
    const report: string[] = [];
    for (const p of paths) {
      const [a, b] = await Promise.all([get(old, p), get(cur, p)]);
      if (a.status !== 200 || b.status !== 200)
        report.push(`${p}: status ${a.status} (18.16) vs ${b.status} (current): ${JSON.stringify(b.body).slice(0, 300)}`);
      else for (const x of differences(a.body, b.body)) report.push(`${p}: ${x}`);
    }
    expect(report).toEqual([]);
  }, 120_000);
});

describe('the comparison of two answers', () => {
  it('flags a changed count, order, label or missing row; lets rounding and small-sample percentiles pass', () => {
    expect(differences({ rows: [{ jobs: 60, images: 120 }] }, { rows: [{ jobs: 60, images: 121 }] })).toEqual(['$.rows[0].images: 120 vs 121']);
    expect(differences([{ kind: 'oom' }, { kind: 'job_end' }], [{ kind: 'job_end' }, { kind: 'oom' }])).toHaveLength(2);
    expect(differences({ rows: [1, 2] }, { rows: [1] })).toEqual(['$.rows: 2 items vs 1']);
    expect(differences({ ratio: 0.1563 }, { ratio: 0.1562 })).toEqual([]);
    expect(differences({ ratio: 0.1563 }, { ratio: 0.1561 })).toHaveLength(1);
    // percentiles: within half from 50 events, only present/absent below
    expect(differences({ jobs: 60, duration_p50_s: 10 }, { jobs: 60, duration_p50_s: 14 })).toEqual([]);
    expect(differences({ jobs: 60, duration_p50_s: 10 }, { jobs: 60, duration_p50_s: 25 })).toHaveLength(1);
    expect(differences({ jobs: 4, duration_p50_s: 407.6 }, { jobs: 4, duration_p50_s: 132.9 })).toEqual([]);
    expect(differences({ jobs: 4, duration_p50_s: 407.6 }, { jobs: 4, duration_p50_s: null })).toHaveLength(1);
    expect(differences({ generated_at: 'a', last_seen: 'x' }, { generated_at: 'b', last_seen: 'y' })).toEqual([]);
  });
});
