// api-latency: seeds a fleet history straight into ClickHouse through the rollup SQL (the very
// SELECTs of the 0002 materialized views, run over generated rows), then measures p50/p95 of every
// dashboard API route over 1 h, 24 h, 7 d and 30 d ranges through the real collector.
//   node --import tsx bench/src/api-latency.ts [--hosts 1000] [--days 30] [--runs 12] [--clickhouse URL]
// Seeded (defaults): 1-hour rollups for 30 days x 1,000 hosts x 8 GPUs (each GPU-hour summarizes 12
// synthetic samples, one per 5 min, to keep generation within minutes on 2 cores), 1-minute rollups for the 5 hours before the last hour, raw samples and events
// for the last hour at 10 s (their rollups filled by the real materialized views), and 30 days of
// OOM events with their job_end rows (~7 OOMs per host per day); the capacity rollup is computed
// from those rollups by the collector's own refreshCapacity.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createStorage, ensureDatabase, loadMigrations, parseCollectorConfig, raw, refreshCapacity, startCollector, type Storage } from '@renderwatch/collector';
import { startLocalClickHouse } from '@renderwatch/devkit';
import pino from 'pino';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    days: { type: 'string', default: '30' },
    runs: { type: 'string', default: '12' },
    clickhouse: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
  },
});
const HOSTS = Number(args.hosts);
const DAYS = Number(args.days);
const RUNS = Number(args.runs);
const GPUS = 8;
const TENANT = 'bench';
const KEY = 'bench-admin-key-0123456789abcdef';

/** The MV SELECT of `<table>_mv` from the migrations, to run over generated rows instead of the raw table. */
async function mvSelects(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of await loadMigrations()) {
    for (const s of m.statements) {
      const r = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)_mv TO \w+ AS\n([\s\S]+)$/.exec(s);
      if (r?.[1] !== undefined && r[2] !== undefined) out.set(r[1], r[2]);
    }
  }
  return out;
}

const HOST = `concat('host-', toString(h))`;
const GPU_NAME = `['NVIDIA L4', 'NVIDIA GeForce RTX 4090', 'NVIDIA L40S', 'NVIDIA H100 80GB HBM3'][h % 4 + 1]`;
const GPU_TOTAL = `toUInt64([24, 24, 48, 80][h % 4 + 1] * 1073741824)`;
const MODEL = `['flux1-dev', 'sdxl-base-1.0', 'wan2.2-t2v-14b', 'sd15'][(h + g) % 4 + 1]`;

/** Synthetic GPU samples: one per `stepS` within [startS, startS + spanS) for every GPU of every host. */
function gpuRows(startS: number, spanS: number, stepS: number): string {
  const per = spanS / stepS;
  return `(SELECT '${TENANT}' AS tenant, ${HOST} AS host, concat('GPU-', toString(h), '-', toString(g)) AS gpu_uuid,
      toDateTime(${startS} + i * ${stepS}, 'UTC') AS ts, toUInt16(g) AS gpu_index, ${GPU_NAME} AS gpu_name,
      toFloat32(if(x % 10 < 2, 0.02, 0.55 + (x % 45) / 100)) AS util_ratio,
      toUInt64(${GPU_TOTAL} * (0.3 + (x % 60) / 100)) AS mem_used_bytes, ${GPU_TOTAL} AS mem_total_bytes,
      toFloat32(55 + x % 30) AS temp_celsius, toFloat32(150 + x % 200) AS power_draw_watts,
      toUInt32(1500 + x % 900) AS sm_clock_mhz, toUInt32(9000) AS mem_clock_mhz,
      toUInt64(if(x % 50 = 0, 32, if(x % 70 = 0, 4, 0))) AS clock_event_reasons,
      if(x % 40 = 0, ['comfyui', ''], ['comfyui']) AS process_runtimes
    FROM (SELECT number % ${per} AS i, intDiv(number, ${per}) % ${GPUS} AS g, intDiv(number, ${per * GPUS}) AS h,
      cityHash64(number, ${startS}) AS x FROM numbers(${HOSTS * GPUS * per})))`;
}

function hostRows(startS: number, spanS: number, stepS: number): string {
  const per = spanS / stepS;
  return `(SELECT '${TENANT}' AS tenant, ${HOST} AS host, toDateTime(${startS} + i * ${stepS}, 'UTC') AS ts,
      toFloat32((x % 100) / 100) AS cpu_ratio, toUInt64(64e9 + x % 1e9) AS mem_used_bytes,
      toUInt64(x % 5e8) AS disk_read_bytes_per_s, toUInt64(x % 1e8) AS disk_write_bytes_per_s,
      toUInt64(x % 2e8) AS net_rx_bytes_per_s, toUInt64(x % 5e7) AS net_tx_bytes_per_s
    FROM (SELECT number % ${per} AS i, intDiv(number, ${per}) AS h, cityHash64(number, ${startS}) AS x FROM numbers(${HOSTS * per})))`;
}

/** Synthetic events: per GPU, `perGpu` events spread over the span; 8 of 9 job_end, 1 of 9 model_load. */
function eventRows(startS: number, spanS: number, perGpu: number, onlyOoms = false): string {
  const kind = onlyOoms ? `if(i % 2 = 0, 'oom', 'job_end')` : `if(i % 9 = 8, 'model_load', 'job_end')`;
  const outcome = onlyOoms ? `'oom'` : `if(x % 100 = 0, 'oom', if(x % 150 = 0, 'error', 'ok'))`;
  return `(SELECT '${TENANT}' AS tenant, ${HOST} AS host, 'agent' AS agent_id,
      toDateTime(${startS} + ${onlyOoms ? `intDiv(i, 2) * 2` : 'i'} * ${Math.floor(spanS / perGpu)}, 'UTC') AS ts, toUInt16(0) AS ts_ms,
      toUInt64(1) AS batch_seq, toUInt32(i * 8 + g) AS seq, ${kind} AS kind, 'comfyui' AS runtime, toUInt16(g) AS gpu_index,
      concat(${HOST}, '-', toString(g), '-', toString(intDiv(i, 2))) AS job_id, ${MODEL} AS model,
      ${outcome} AS outcome, if(x % 10 = 0, 'disk', 'cache') AS source,
      ['resolution', 'batch', 'addons', 'fragmentation', 'other_process'][x % 5 + 1] AS cause, 'bench_rule' AS cause_rule,
      toFloat64(2 + x % 40) AS duration_s, toUInt32(1 + x % 4) AS images, toUInt32([1024, 1344, 832, 512][(h + g) % 4 + 1]) AS width,
      toUInt32([1024, 768, 480, 512][(h + g) % 4 + 1]) AS height, toUInt32(1 + x % 4) AS batch,
      toUInt64(2e9) AS requested_bytes, ${GPU_TOTAL} AS total_bytes, toUInt64(1e9) AS free_bytes
    FROM (SELECT number % ${perGpu} AS i, intDiv(number, ${perGpu}) % ${GPUS} AS g, intDiv(number, ${perGpu * GPUS}) AS h,
      cityHash64(intDiv(number, 2), ${startS}) AS x FROM numbers(${HOSTS * GPUS * perGpu})))`;
}

const EVENT_COLS = 'tenant, host, agent_id, ts, ts_ms, batch_seq, seq, kind, runtime, gpu_index, job_id, model, outcome, source, cause, cause_rule, duration_s, images, width, height, batch, requested_bytes, total_bytes, free_bytes';
const GPU_COLS = 'tenant, host, gpu_uuid, ts, gpu_index, gpu_name, util_ratio, mem_used_bytes, mem_total_bytes, temp_celsius, power_draw_watts, sm_clock_mhz, mem_clock_mhz, clock_event_reasons, process_runtimes';
const HOST_COLS = 'tenant, host, ts, cpu_ratio, mem_used_bytes, disk_read_bytes_per_s, disk_write_bytes_per_s, net_rx_bytes_per_s, net_tx_bytes_per_s';

async function seed(storage: Storage, nowS: number): Promise<void> {
  const mv = await mvSelects();
  const via = (name: string, rows: string): string => {
    const sel = mv.get(name);
    if (sel === undefined) throw new Error(`no MV ${name}`);
    return `INSERT INTO ${name} ${sel.replace(/FROM (gpu_samples|host_samples|runtime_events)\b/, `FROM ${rows}`)}`;
  };
  // Host-level GPU rollups from the per-GPU ones (the same states merged: -MergeState).
  const hostLevel = (name: string, fromTable: string, whereT: string): string => {
    const sel = mv.get(name) ?? '';
    const cols = [...sel.matchAll(/(\w+?)State\(.*\) AS (\w+),?$/gm)].map((m) => `${m[1]}MergeState(${m[2]}) AS ${m[2]}`);
    return `INSERT INTO ${name} SELECT tenant, host, t, ${cols.join(', ')} FROM ${fromTable} WHERE ${whereT} GROUP BY tenant, host, t`;
  };
  const hourS = Math.floor(nowS / 3600) * 3600;
  const rawStart = hourS - 3600;
  const m1Start = rawStart - 5 * 3600;
  const t0 = Date.now();
  // 1 h rollups, one day per insert, up to the 1 m window.
  for (let d = DAYS; d >= 1; d--) {
    const start = m1Start - d * 86400;
    await storage.command(raw(via('gpu_1h', gpuRows(start, 86400, 300))));
    await storage.command(raw(hostLevel('gpu_host_1h', 'gpu_1h', `t >= toDateTime(${start}, 'UTC') AND t < toDateTime(${start + 86400}, 'UTC')`)));
    await storage.command(raw(via('host_1h', hostRows(start, 86400, 600))));
    await storage.command(raw(via('jobs_1h', eventRows(start, 86400, 24 * 9))));
    await storage.command(raw(hostLevel('jobs_host_1h', 'jobs_1h', `t >= toDateTime(${start}, 'UTC') AND t < toDateTime(${start + 86400}, 'UTC')`)));
    process.stdout.write(`  seeded day -${d} (${((Date.now() - t0) / 1000).toFixed(0)} s)\r`);
  }
  // The 5 hours before the raw hour: 1 m and 1 h rollups.
  for (const [name, rows] of [
    ['gpu_1m', gpuRows(m1Start, 5 * 3600, 10)], ['gpu_1h', gpuRows(m1Start, 5 * 3600, 60)],
    ['host_1m', hostRows(m1Start, 5 * 3600, 10)], ['host_1h', hostRows(m1Start, 5 * 3600, 60)],
    ['jobs_1m', eventRows(m1Start, 5 * 3600, 5 * 27)], ['jobs_1h', eventRows(m1Start, 5 * 3600, 5 * 27)],
  ] as const) {
    await storage.command(raw(via(name, rows)));
  }
  const m1Range = `t >= toDateTime(${m1Start}, 'UTC') AND t < toDateTime(${rawStart}, 'UTC')`;
  await storage.command(raw(hostLevel('gpu_host_1m', 'gpu_1m', m1Range)));
  await storage.command(raw(hostLevel('gpu_host_1h', 'gpu_1h', m1Range)));
  await storage.command(raw(hostLevel('jobs_host_1m', 'jobs_1m', m1Range)));
  await storage.command(raw(hostLevel('jobs_host_1h', 'jobs_1h', m1Range)));
  // The last hour raw, through the real materialized views.
  await storage.command(raw(`INSERT INTO gpu_samples (${GPU_COLS}) SELECT ${GPU_COLS} FROM ${gpuRows(rawStart, 3600, 10)}`));
  await storage.command(raw(`INSERT INTO host_samples (${HOST_COLS}) SELECT ${HOST_COLS} FROM ${hostRows(rawStart, 3600, 10)}`));
  await storage.command(raw(`INSERT INTO runtime_events (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM ${eventRows(rawStart, 3600, 27)}`));
  // 30 days of OOMs (with their job_end rows) for the OOM explorer.
  for (let d = DAYS; d >= 1; d -= 10) {
    const span = Math.min(10, d) * 86400;
    await storage.command(raw(`INSERT INTO runtime_events (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM ${eventRows(hourS - d * 86400, span, Math.max(2, Math.round((Math.min(10, d) * 7 * 2) / GPUS)), true)}`));
  }
  // The capacity rollup: from the 1 h rollups for the 30 days, from the 1 m rollups for the last 6 hours.
  // One day per refresh, as the collector's own refresher works on small windows.
  for (let d = DAYS; d >= 1; d--) {
    await refreshCapacity(storage, new Date((m1Start - d * 86400) * 1000), new Date((m1Start - (d - 1) * 86400) * 1000), '1h');
  }
  await refreshCapacity(storage, new Date(m1Start * 1000), new Date((hourS + 3600) * 1000), '1m');
  await storage.command(raw(`INSERT INTO hosts (tenant, host, agent_id, last_seen) SELECT '${TENANT}', concat('host-', toString(number)), 'agent', toDateTime(${nowS - 5}, 'UTC') FROM numbers(${HOSTS})`));
  process.stdout.write(`\nseeding took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const counts = await storage.query<{ table: string; rows: string }>(raw(`SELECT table, toString(sum(rows)) AS rows FROM system.parts WHERE database = '${storage.database}' AND active GROUP BY table ORDER BY table`));
  for (const c of counts) process.stdout.write(`  ${c.table.padEnd(16)} ${c.rows} rows\n`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

async function main(): Promise<void> {
  let stopCh: (() => Promise<void>) | undefined;
  let url = args.clickhouse;
  let dir: string | undefined;
  if (url === '') {
    dir = await mkdtemp(join(tmpdir(), 'rw-bench-api-'));
    const ch = await startLocalClickHouse({ dataDir: dir });
    url = ch.url;
    stopCh = () => ch.stop(5000);
  }
  const database = `rw_bench_api_${Date.now()}`;
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: url, COLLECTOR_CLICKHOUSE_DATABASE: database, COLLECTOR_HOST: '127.0.0.1', COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0', COLLECTOR_API_ADMIN_KEY: KEY, COLLECTOR_API_ADMIN_TENANT: TENANT, COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0', COLLECTOR_CAPACITY_REFRESH_S: '0', COLLECTOR_LOG_LEVEL: 'silent',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const collector = await startCollector(cfg.config, pino({ level: 'silent' }));
  const seedStorage = createStorage({ url, database, username: 'default', password: '', requestTimeoutMs: 900_000 });
  try {
    await ensureDatabase({ url, database, username: 'default', password: '' });
    process.stdout.write(`api-latency: seeding ${HOSTS} hosts x ${GPUS} GPUs x ${DAYS} days into ${database}\n`);
    await seed(seedStorage, Math.floor(Date.now() / 1000));
    const base = `http://127.0.0.1:${collector.httpPort}`;
    const now = Date.now();
    const ranges: [string, number][] = [['1h', 3600], ['24h', 86400], ['7d', 7 * 86400], ['30d', DAYS * 86400]];
    const routes: [string, (q: string) => string][] = [
      ['fleet', () => '/api/v1/fleet'],
      ['fleet/utilization', (q) => `/api/v1/fleet/utilization?${q}`],
      ['fleet/summary', (q) => `/api/v1/fleet/summary?${q}`],
      ['fleet/heatmap', (q) => `/api/v1/fleet/heatmap?${q}`],
      ['hosts/:host/series', (q) => `/api/v1/hosts/host-7/series?${q}`],
      ['events', (q) => `/api/v1/events?${q}`],
      ['ooms', (q) => `/api/v1/ooms?${q}`],
      ['slowdowns', (q) => `/api/v1/slowdowns?${q}`],
      ['capacity', (q) => `/api/v1/capacity?${q}`],
    ];
    let worst = { ms: 0, what: '' };
    process.stdout.write(`\n${'route'.padEnd(20)} ${'range'.padEnd(5)} ${'res'.padEnd(4)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'bytes'.padStart(9)}\n`);
    for (const [name, path] of routes) {
      for (const [rname, rs] of ranges) {
        if (name === 'fleet' && rname !== '1h') continue;
        const q = `from=${new Date(now - rs * 1000).toISOString()}&to=${new Date(now).toISOString()}`;
        const times: number[] = [];
        let bytes = 0;
        let res = '';
        for (let i = 0; i < RUNS + 2; i++) {
          const t = performance.now();
          const r = await fetch(`${base}${path(q)}`, { headers: { authorization: `Bearer ${KEY}` } });
          const body = await r.text();
          const ms = performance.now() - t;
          if (r.status !== 200) throw new Error(`${name} ${rname}: HTTP ${r.status} ${body.slice(0, 300)}`);
          bytes = body.length;
          res = (/"resolution":"(\w+)"/.exec(body)?.[1]) ?? '-';
          if (i >= 2) times.push(ms);
        }
        const p50 = pct(times, 50);
        const p95 = pct(times, 95);
        if (p95 > worst.ms) worst = { ms: p95, what: `${name} ${rname}` };
        process.stdout.write(`${name.padEnd(20)} ${rname.padEnd(5)} ${res.padEnd(4)} ${p50.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${String(bytes).padStart(9)}\n`);
      }
    }
    process.stdout.write(`\nworst: ${worst.what}\napi-latency: p95 ${worst.ms.toFixed(0)} ms (target < 300 ms)\n`);
  } finally {
    await collector.stop();
    if (!args.keep) await seedStorage.command(raw(`DROP DATABASE IF EXISTS ${database}`)).catch(() => undefined);
    await seedStorage.close();
    await stopCh?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

await main();
