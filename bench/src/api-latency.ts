// api-latency: seeds a fleet history through the rollup path, then measures p50/p95 of every
// dashboard API route over 1 h, 24 h, 7 d and 30 d ranges through the real collector.
// `--history demo` instead measures every route the dashboard calls on the demo's own 7-day history
// (bench/src/api-latency-demo.ts: per-route p50/p90 as ratios to a same-run /healthz baseline).
//   node --import tsx bench/src/api-latency.ts [--history synthetic|demo] [--hosts 200] [--days 30] [--sample-s 10] [--raw-hours 6] [--runs 12] [--clickhouse URL] [--keep] [--reuse DB]
// Seeded (defaults: 200 hosts x 8 GPUs, one sample per GPU every 10 s): the last `--raw-hours` plus
// the current hour as raw samples (their rollups filled by the real materialized views); the 24 h
// before that as 1-minute and 1-hour rollups and the rest of the 30 days as 1-hour rollups, both
// computed by the very SELECTs of the rollup materialized views over generated 10 s samples; 30
// days of runtime events (jobs, model loads, OOMs with their job_end rows) inserted raw, so every
// event table and job rollup is filled by the real views; the capacity rollup computed by the
// collector's own refreshCapacity. GPU samples carry an energy counter and the agent's per-sample interval and energy increase (gpu_cost_1h/1d, for /cost);
// every host restarts its runtime twice a day (cold and warm, for /starts) with a version and
// extension set that change every few days (/versions), and model loads carry a model hash. `--keep` keeps the database, `--reuse DB` measures an existing one.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createStorage,
  ensureDatabase,
  loadMigrations,
  parseCollectorConfig,
  raw,
  refreshCapacity,
  startCollector,
  type Storage,
} from '@renderwatch/collector';
import { runDemo } from './api-latency-demo.js';
import { startLocalClickHouse } from '@renderwatch/devkit';
import pino from 'pino';

const { values: args } = parseArgs({
  options: {
    history: { type: 'string', default: 'synthetic' },
    hosts: { type: 'string', default: '200' },
    days: { type: 'string', default: '' },
    'sample-s': { type: 'string', default: '10' },
    'raw-hours': { type: 'string', default: '6' },
    reuse: { type: 'string', default: '' },
    runs: { type: 'string', default: '12' },
    clickhouse: { type: 'string', default: '' },
    compare: { type: 'string', default: '' },
    routes: { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
  },
});
const HOSTS = Number(args.hosts);
const DEMO = args.history === 'demo';
if (!DEMO && args.history !== 'synthetic') throw new Error(`--history: synthetic or demo, not ${args.history}`);
const DAYS = Number(args.days === '' ? (DEMO ? 7 : 30) : args.days);
const RUNS = Number(args.runs);
const SAMPLE_S = Number(args['sample-s']);
const RAW_H = Number(args['raw-hours']);
/** Hours of 1-minute rollups before the raw window (a 24 h range reads the 1-minute rollups). */
const M1_H = 24;
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
      toDateTime(${startS} + i * ${stepS}, 'UTC') AS ts, toUInt16(0) AS ts_ms, toUInt16(g) AS gpu_index, ${GPU_NAME} AS gpu_name,
      toFloat64((${startS} + i * ${stepS}) % 864000 * 250) AS energy_joules,
      toUInt32(${stepS * 1000}) AS interval_ms, toFloat64(if((${startS} + i * ${stepS}) % 864000 = 0, 0, ${stepS * 250})) AS energy_delta_joules,
      toFloat32(if(x % 10 < 2, 0.02, 0.55 + (x % 45) / 100)) AS util_ratio,
      toUInt64(${GPU_TOTAL} * (0.3 + (x % 60) / 100)) AS mem_used_bytes, ${GPU_TOTAL} AS mem_total_bytes,
      toFloat32(55 + x % 30) AS temp_celsius, toFloat32(150 + x % 200) AS power_draw_watts,
      toUInt32(1500 + x % 900) AS sm_clock_mhz, toUInt32(9000) AS mem_clock_mhz,
      toUInt64(if(x % 50 = 0, 32, if(x % 70 = 0, 4, 0))) AS clock_event_reasons,
      if(x % 40 = 0, ['comfyui', ''], ['comfyui']) AS process_runtimes, if(x % 40 = 0, [4242, 777], [4242]) AS process_pids,
      if(x % 40 = 0, ['python', 'blender'], ['python']) AS process_names,
      if(x % 40 = 0, [toUInt64(mem_used_bytes - 2e9), toUInt64(2e9)], [mem_used_bytes]) AS process_mem_bytes
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
  // Spread over the span per GPU (an OOM and its job_end share a second; the GPUs do not share one).
  const step = Math.floor(spanS / perGpu);
  const ts = onlyOoms ? `(intDiv(i, 2) * ${2 * step} + (h * ${GPUS} + g) * 997) % ${spanS}` : `i * ${step} + (h * ${GPUS} + g) * 7 % ${step}`;
  return `(SELECT '${TENANT}' AS tenant, ${HOST} AS host, concat('agent-', toString(h)) AS agent_id,
      toDateTime(${startS} + ${ts}, 'UTC') AS ts, toUInt16(0) AS ts_ms,
      toUInt64(1) AS batch_seq, toUInt32(i * 8 + g) AS seq, ${kind} AS kind, 'comfyui' AS runtime, toUInt16(g) AS gpu_index,
      concat(${HOST}, '-', toString(g), '-', toString(intDiv(i, 2))) AS job_id, ${MODEL} AS model,
      if(i % 9 = 8, concat('sha256-', toString(cityHash64(${MODEL}, intDiv(${startS}, 604800)) % 100000)), '') AS model_hash,
      ${outcome} AS outcome, if(x % 10 = 0, 'disk', 'cache') AS source,
      ['resolution', 'batch', 'addons', 'fragmentation', 'other_process'][x % 5 + 1] AS cause, 'bench_rule' AS cause_rule,
      toFloat64(2 + x % 40) AS duration_s, toUInt32(1 + x % 4) AS images, toUInt32([1024, 1344, 832, 512][(h + g) % 4 + 1]) AS width,
      toUInt32([1024, 768, 480, 512][(h + g) % 4 + 1]) AS height, toUInt32(1 + x % 4) AS batch,
      toUInt64(2e9) AS requested_bytes, ${GPU_TOTAL} AS total_bytes, toUInt64(1e9) AS free_bytes
    FROM (SELECT number % ${perGpu} AS i, intDiv(number, ${perGpu}) % ${GPUS} AS g, intDiv(number, ${perGpu * GPUS}) AS h,
      cityHash64(intDiv(number, 2), ${startS}) AS x FROM numbers(${HOSTS * GPUS * perGpu})))`;
}

/** Per host and day: a cold start at 02:00 ready after 60-150 s, a warm one at 14:00 ready after 5-25 s; version and extensions change every 3 days. */
function startRows(startS: number, days: number): string {
  return `(SELECT '${TENANT}' AS tenant, ${HOST} AS host, concat('agent-', toString(h)) AS agent_id,
      toDateTime(${startS} + d * 86400 + if(k < 2, 7200, 50400) + if(k % 2 = 1, if(k < 2, 60 + x % 90, 5 + x % 20), 0), 'UTC') AS ts, toUInt16(0) AS ts_ms,
      toUInt64(1) AS batch_seq, toUInt32(900000 + k) AS seq, if(k % 2 = 0, 'runtime_start', 'runtime_ready') AS kind, 'comfyui' AS runtime,
      if(k % 2 = 0, toNullable(toUInt8(k < 2)), CAST(NULL AS Nullable(UInt8))) AS cold,
      if(k % 2 = 0, '', concat('v0.3.', toString(intDiv(${startS} + d * 86400, 259200) % 50))) AS version,
      arrayFilter(e -> k % 2 = 0 AND cityHash64(e, h, intDiv(${startS} + d * 86400, 259200)) % 4 != 0, ['ComfyUI-Manager', 'rgthree-comfy', 'comfyui-kjnodes', 'ComfyUI-GGUF', 'was-node-suite']) AS extensions
    FROM (SELECT number % 4 AS k, intDiv(number, 4) % ${days} AS d, intDiv(number, 4 * ${days}) AS h, cityHash64(number, ${startS}) AS x FROM numbers(${HOSTS * 4 * days})))`;
}
const START_COLS = 'tenant, host, agent_id, ts, ts_ms, batch_seq, seq, kind, runtime, cold, version, extensions';

const EVENT_COLS =
  'tenant, host, agent_id, ts, ts_ms, batch_seq, seq, kind, runtime, gpu_index, job_id, model, model_hash, outcome, source, cause, cause_rule, duration_s, images, width, height, batch, requested_bytes, total_bytes, free_bytes';
const GPU_COLS =
  'tenant, host, gpu_uuid, ts, gpu_index, gpu_name, energy_joules, interval_ms, energy_delta_joules, util_ratio, mem_used_bytes, mem_total_bytes, temp_celsius, power_draw_watts, sm_clock_mhz, mem_clock_mhz, clock_event_reasons, process_runtimes, process_pids, process_names, process_mem_bytes';
const HOST_COLS = 'tenant, host, ts, cpu_ratio, mem_used_bytes, disk_read_bytes_per_s, disk_write_bytes_per_s, net_rx_bytes_per_s, net_tx_bytes_per_s';

const range = (a: number, b: number): string => `t >= toDateTime(${a}, 'UTC') AND t < toDateTime(${b}, 'UTC')`;

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
  const endS = Math.floor(nowS / SAMPLE_S) * SAMPLE_S;
  const rawStart = hourS - RAW_H * 3600;
  const m1Start = rawStart - M1_H * 3600;
  const oldStart = hourS - DAYS * 86400;
  const t0 = Date.now();
  const at = (): string => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  // 1 h rollups from generated 10 s samples, at most one day per insert, up to the 1 m window.
  for (let start = oldStart; start < m1Start; start += 86400) {
    const span = Math.min(86400, m1Start - start);
    await storage.command(raw(via('gpu_1h', gpuRows(start, span, SAMPLE_S))));
    await storage.command(raw(via('gpu_cost_1h', gpuRows(start, span, SAMPLE_S))));
    await storage.command(raw(via('gpu_cost_1d', gpuRows(start, span, SAMPLE_S))));
    await storage.command(raw(hostLevel('gpu_host_1h', 'gpu_1h', range(start, start + span))));
    await storage.command(raw(via('host_1h', hostRows(start, span, SAMPLE_S))));
    process.stdout.write(`  1 h rollups up to ${new Date((start + span) * 1000).toISOString()} (${at()})\r`);
  }
  // The 24 hours before the raw window: 1 m and 1 h rollups from the same generated samples.
  for (let start = m1Start; start < rawStart; start += 6 * 3600) {
    const span = Math.min(6 * 3600, rawStart - start);
    for (const [name, rows] of [
      ['gpu_1m', gpuRows(start, span, SAMPLE_S)],
      ['gpu_1h', gpuRows(start, span, SAMPLE_S)],
      ['gpu_cost_1h', gpuRows(start, span, SAMPLE_S)],
      ['gpu_cost_1d', gpuRows(start, span, SAMPLE_S)],
      ['host_1m', hostRows(start, span, SAMPLE_S)],
      ['host_1h', hostRows(start, span, SAMPLE_S)],
    ] as const) {
      await storage.command(raw(via(name, rows)));
    }
  }
  await storage.command(raw(hostLevel('gpu_host_1m', 'gpu_1m', range(m1Start, rawStart))));
  await storage.command(raw(hostLevel('gpu_host_1h', 'gpu_1h', range(m1Start, rawStart))));
  process.stdout.write(`\n  1 m rollups done (${at()})\n`);
  // The raw window up to now, through the real materialized views.
  for (let start = rawStart; start < endS; start += 3600) {
    const span = Math.min(3600, endS - start);
    await storage.command(raw(`INSERT INTO gpu_samples (${GPU_COLS}) SELECT ${GPU_COLS} FROM ${gpuRows(start, span, SAMPLE_S)}`));
    await storage.command(raw(`INSERT INTO host_samples (${HOST_COLS}) SELECT ${HOST_COLS} FROM ${hostRows(start, span, SAMPLE_S)}`));
  }
  process.stdout.write(`  raw samples done (${at()})\n`);
  // Runtime events for the whole range, raw (the job rollups and the OOM context filled by the views):
  // 216 per GPU-day (8 of 9 job_end, 1 model_load), plus ~7 OOMs per host-day with their job_end rows.
  for (let start = oldStart; start < endS; start += 86400) {
    const span = Math.min(86400, endS - start);
    const per = Math.max(1, Math.round((216 * span) / 86400));
    await storage.command(raw(`INSERT INTO runtime_events (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM ${eventRows(start, span, per)}`));
    const ooms = Math.max(2, 2 * Math.round((7 * span) / 86400 / GPUS));
    await storage.command(raw(`INSERT INTO runtime_events (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM ${eventRows(start, span, ooms, true)}`));
    process.stdout.write(`  events up to ${new Date((start + span) * 1000).toISOString()} (${at()})\r`);
  }
  await storage.command(
    raw(`INSERT INTO runtime_events (${START_COLS}) SELECT ${START_COLS} FROM ${startRows(oldStart, DAYS)} WHERE ts < toDateTime(${endS}, 'UTC')`),
  );
  process.stdout.write(`\n`);
  // The capacity rollup: from the 1 h rollups before the 1 m window, from the 1 m rollups after.
  // One day per refresh, as the collector's own refresher works on small windows.
  for (let start = oldStart; start < m1Start; start += 86400) {
    await refreshCapacity(storage, new Date(start * 1000), new Date(Math.min(start + 86400, m1Start) * 1000), '1h');
  }
  await refreshCapacity(storage, new Date(m1Start * 1000), new Date((hourS + 3600) * 1000), '1m');
  await storage.command(
    raw(
      `INSERT INTO hosts (tenant, host, agent_id, last_seen) SELECT '${TENANT}', concat('host-', toString(number)), concat('agent-', toString(number)), toDateTime(${nowS - 5}, 'UTC') FROM numbers(${HOSTS})`,
    ),
  );
  process.stdout.write(`\nseeding took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const counts = await storage.query<{ table: string; rows: string }>(
    raw(`SELECT table, toString(sum(rows)) AS rows FROM system.parts WHERE database = '${storage.database}' AND active GROUP BY table ORDER BY table`),
  );
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
  const database = args.reuse !== '' ? args.reuse : `rw_bench_api_${Date.now()}`;
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: url,
    COLLECTOR_CLICKHOUSE_DATABASE: database,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_API_ADMIN_KEY: KEY,
    COLLECTOR_API_ADMIN_TENANT: TENANT,
    COLLECTOR_API_CACHE_TTL_MS: '0',
    COLLECTOR_RETENTION_INTERVAL_S: '0',
    COLLECTOR_CAPACITY_REFRESH_S: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const collector = await startCollector(cfg.config, pino({ level: 'silent' }));
  const seedStorage = createStorage({ url, database, username: 'default', password: '', requestTimeoutMs: 900_000 });
  try {
    await ensureDatabase({ url, database, username: 'default', password: '' });
    if (args.reuse === '') {
      process.stdout.write(
        `api-latency: seeding ${HOSTS} hosts x ${GPUS} GPUs x ${DAYS} days at ${SAMPLE_S} s into ${database} (load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')})\n`,
      );
      await seed(seedStorage, Math.floor(Date.now() / 1000));
    }
    process.stdout.write(
      `measuring ${database} (load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})\n`,
    );
    const base = `http://127.0.0.1:${collector.httpPort}`;
    const now = Date.now();
    const ranges: [string, number][] = [
      ['1h', 3600],
      ['24h', 86400],
      ['7d', 7 * 86400],
      ['30d', DAYS * 86400],
    ];
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
      ['jobs/stats', (q) => `/api/v1/jobs/stats?${q}`],
      ['starts', (q) => `/api/v1/starts?${q}`],
      ['cost', (q) => `/api/v1/cost?${q}`],
      ['versions', (q) => `/api/v1/versions?${q}`],
    ];
    let worst = { ms: 0, what: '' };
    process.stdout.write(
      `\n${'route'.padEnd(20)} ${'range'.padEnd(5)} ${'res'.padEnd(4)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'bytes'.padStart(9)}\n`,
    );
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
          res = /"resolution":"(\w+)"/.exec(body)?.[1] ?? '-';
          if (i >= 2) times.push(ms);
        }
        const p50 = pct(times, 50);
        const p95 = pct(times, 95);
        if (p95 > worst.ms) worst = { ms: p95, what: `${name} ${rname}` };
        process.stdout.write(
          `${name.padEnd(20)} ${rname.padEnd(5)} ${res.padEnd(4)} ${p50.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${String(bytes).padStart(9)}\n`,
        );
      }
    }
    process.stdout.write(
      `\nload average at the end: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\nworst: ${worst.what}\napi-latency: p95 ${worst.ms.toFixed(0)} ms (target < 300 ms)\n`,
    );
  } finally {
    await collector.stop();
    if (!args.keep && args.reuse === '') await seedStorage.command(raw(`DROP DATABASE IF EXISTS ${database}`)).catch(() => undefined);
    await seedStorage.close();
    await stopCh?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

if (DEMO)
  await runDemo({ days: DAYS, runs: RUNS, clickhouse: args.clickhouse, keep: args.keep, reuse: args.reuse, compare: args.compare, routes: args.routes });
else await main();
