// preauth-flood: how long /healthz takes while an unauthenticated client floods the collector's gRPC
// port with oversized junk (docs/ingest-limits.md "Before the token is checked"; issue 20 item 3).
//   npm run bench -- preauth-flood [--seconds 20] [--senders 8] [--mb 15] [--interval-ms 20] [--attack junk|rapid-reset]
// The real collector runs in this process (its event loop is what a stall would block); the flood
// comes from a worker thread with its own event loop: `--senders` calls at once, each a `--mb` MB
// message (half gzip-flagged, half with a wrong token, half with none), sent again as soon as each is
// refused. /healthz is polled every `--interval-ms` for the same time before the flood (idle) and
// during it. The target (< 100 ms throughout) is checked here, never in a test: the integration test
// (e2e/src/ingest-preauth.int.test.ts) proves the structure — not one byte of the flood is decoded.
// The collector's event-loop delay is printed beside each phase: on a 2-core machine the sending
// worker competes for the CPU, so a slow /healthz with a small loop delay is the machine, not a stall.
// `--attack rapid-reset` floods instead with HTTP/2 rapid reset (CVE-2023-44487): `--senders`
// connections, each opening ExportStream calls with the valid token and cancelling them at once, as
// fast as it can, reconnecting whenever the collector closes the connection (MAX_RESETS_PER_WINDOW,
// collector/src/grpc/server.ts); e2e/src/probe-grpc.e2e.test.ts proves the close, this measures /healthz.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { parseCollectorConfig, startCollector } from '@renderwatch/collector';
import pino from 'pino';
import { benchClickHouse, machineLine, percentile } from './bench-env.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    senders: { type: 'string', default: '8' },
    mb: { type: 'string', default: '15' },
    'interval-ms': { type: 'string', default: '20' },
    attack: { type: 'string', default: 'junk' },
  },
});
const ATTACK = args.attack;
if (ATTACK !== 'junk' && ATTACK !== 'rapid-reset') {
  console.error('preauth-flood: --attack must be junk or rapid-reset');
  process.exit(2);
}
const SECONDS = Number(args.seconds);
const SENDERS = Number(args.senders);
const MB = Number(args.mb);
const INTERVAL_MS = Number(args['interval-ms']);
for (const [k, v] of Object.entries({ seconds: SECONDS, senders: SENDERS, mb: MB, 'interval-ms': INTERVAL_MS })) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`preauth-flood: --${k} must be a positive number`);
    process.exit(2);
  }
}

/** The flood, in a worker: SENDERS calls in flight at once until told to stop; posts how many were sent and how each ended. */
/** The collector's one agent token (the rapid-reset attacker has it: the limit must hold for a leaked token too). */
const TOKEN = 'rwa_the-one-real-token';

const FLOOD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Client, credentials, Metadata } = require(workerData.grpcJs);
const { target, senders, bytes } = workerData;
const plain = new Client(target, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
const gzip = new Client(target, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.default_compression_algorithm': 2 });
const junk = Buffer.alloc(bytes, 0x0a);
let on = true;
const codes = {};
let sent = 0;
parentPort.on('message', () => { on = false; });
function send(i) {
  if (!on) return Promise.resolve();
  const md = new Metadata();
  if (i % 4 >= 2) md.set('authorization', 'Bearer rwa_not-a-token');
  sent++;
  return new Promise((resolve) => {
    (i % 2 === 0 ? plain : gzip).makeUnaryRequest('/renderwatch.telemetry.v1.TelemetryService/Export', (b) => b, (b) => b, junk, md,
      { deadline: Date.now() + 60000 }, (err) => { const c = err === null ? 0 : err.code; codes[c] = (codes[c] || 0) + 1; resolve(); });
  }).then(() => send(i));
}
Promise.all(Array.from({ length: senders }, (_, i) => send(i))).then(() => {
  plain.close(); gzip.close();
  parentPort.postMessage({ sent, codes });
});
`;

/** Rapid reset, in a worker: `senders` connections opening and cancelling streams; posts streams opened, connections and GOAWAYs. */
const RESET_WORKER = `
const http2 = require('node:http2');
const { parentPort, workerData } = require('node:worker_threads');
const { target, senders, token } = workerData;
let on = true, streams = 0, connections = 0, goaways = 0;
parentPort.on('message', () => { on = false; });
async function attacker() {
  while (on) {
    const s = http2.connect('http://' + target);
    connections++;
    s.on('error', () => {});
    const seen = { goaway: false, closed: false };
    s.on('goaway', () => { seen.goaway = true; goaways++; });
    s.on('close', () => { seen.closed = true; });
    await new Promise((r) => { s.once('connect', r); s.once('close', r); });
    for (let i = 0; on && !seen.goaway && !seen.closed; i++) {
      try {
        const r = s.request({ ':method': 'POST', ':path': '/renderwatch.telemetry.v1.TelemetryService/ExportStream', 'content-type': 'application/grpc', te: 'trailers', authorization: 'Bearer ' + token });
        r.on('error', () => {});
        r.close(http2.constants.NGHTTP2_CANCEL);
        streams++;
      } catch { break; }
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    s.destroy();
  }
}
Promise.all(Array.from({ length: senders }, attacker)).then(() => parentPort.postMessage({ streams, connections, goaways }));
`;

/** /healthz round trips until `untilMs`, and the collector's event-loop delay over the same time (what a stall would show). */
async function pollHealth(base: string, untilMs: number): Promise<{ ms: number[]; failed: number; loop: IntervalHistogram }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const ms: number[] = [];
  let failed = 0;
  while (Date.now() < untilMs) {
    const t0 = performance.now();
    try {
      const r = await fetch(`${base}/healthz`);
      await r.arrayBuffer();
      if (r.status !== 200) failed++;
    } catch {
      failed++;
    }
    ms.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  loop.disable();
  return { ms: ms.sort((a, b) => a - b), failed, loop };
}

const fmt = (xs: readonly number[]): string =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${(xs[xs.length - 1] ?? Number.NaN).toFixed(1)} ms (${xs.length} polls)`;

const lag = (h: IntervalHistogram): string => `event-loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`;

async function main(): Promise<void> {
  console.log(machineLine());
  const ch = await benchClickHouse();
  const dir = await mkdtemp(join(tmpdir(), 'rw-bench-flood-'));
  const tokens = join(dir, 'tokens.yaml');
  const sha = createHash('sha256').update(TOKEN).digest('hex');
  await writeFile(tokens, `tokens:\n  - { name: a, tenant: bench, sha256: ${sha} }\n`);
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: ch.url,
    COLLECTOR_CLICKHOUSE_DATABASE: `rw_bench_flood_${Date.now()}`,
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_AGENT_TOKENS_FILE: tokens,
    COLLECTOR_LOG_LEVEL: 'silent',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const collector = await startCollector(cfg.config, pino({ level: 'silent' }));
  const base = `http://127.0.0.1:${collector.httpPort}`;
  try {
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(
          ' ',
        )}; ${ATTACK === 'junk' ? `${SENDERS} senders × ${MB} MB` : `rapid reset on ${SENDERS} connections`}, ${SECONDS} s idle then ${SECONDS} s flood`,
    );
    const idle = await pollHealth(base, Date.now() + SECONDS * 1000);
    const { createRequire } = await import('node:module');
    const grpcJs = createRequire(import.meta.resolve('@renderwatch/collector')).resolve('@grpc/grpc-js');
    const target = `127.0.0.1:${collector.grpcPort}`;
    const worker =
      ATTACK === 'junk'
        ? new Worker(FLOOD_WORKER, { eval: true, workerData: { grpcJs, target, senders: SENDERS, bytes: MB * 1024 * 1024 } })
        : new Worker(RESET_WORKER, { eval: true, workerData: { target, senders: SENDERS, token: TOKEN } });
    const done = new Promise<{ sent: number; codes: Record<string, number>; streams?: number; connections?: number; goaways?: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const flood = await pollHealth(base, Date.now() + SECONDS * 1000);
    worker.postMessage('stop', []); // a worker's port: the second argument is its transfer list (no origin)
    const result = await done;
    await worker.terminate();
    console.log(`idle:  /healthz ${fmt(idle.ms)}, ${idle.failed} not 200; ${lag(idle.loop)}`);
    console.log(`flood: /healthz ${fmt(flood.ms)}, ${flood.failed} not 200; ${lag(flood.loop)}`);
    if (ATTACK === 'junk') {
      console.log(
        `flood: ${result.sent} junk calls of ${MB} MB (${((result.sent * MB) / 1024).toFixed(1)} GB offered); gRPC codes ${JSON.stringify(result.codes)} (16 = UNAUTHENTICATED)`,
      );
    } else {
      console.log(`rapid reset: ${result.streams} streams opened and cancelled on ${result.connections} connections (${result.goaways} ended by GOAWAY)`);
    }
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const p99 = percentile(flood.ms, 99);
    console.log(
      `preauth-flood: /healthz p99 ${p99.toFixed(1)} ms during the flood, ${(p99 / percentile(idle.ms, 99)).toFixed(2)}x idle p99 (target < 100 ms throughout; max ${(flood.ms[flood.ms.length - 1] ?? Number.NaN).toFixed(1)} ms)`,
    );
  } finally {
    await collector.stop();
    await ch.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`preauth-flood: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
