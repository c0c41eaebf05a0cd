// preauth-flood: how long /healthz takes while an unauthenticated client floods the collector's gRPC
// port with oversized junk (docs/ingest-limits.md "Before the token is checked"; issue 20 item 3).
//   npm run bench -- preauth-flood [--seconds 20] [--senders 8] [--mb 15] [--interval-ms 20]
// The real collector runs in this process (its event loop is what a stall would block); the flood
// comes from a worker thread with its own event loop: `--senders` calls at once, each a `--mb` MB
// message (half gzip-flagged, half with a wrong token, half with none), sent again as soon as each is
// refused. /healthz is polled every `--interval-ms` for the same time before the flood (idle) and
// during it. The target (< 100 ms throughout) is checked here, never in a test: the integration test
// (e2e/src/ingest-preauth.int.test.ts) proves the structure — not one byte of the flood is decoded.
// The collector's event-loop delay is printed beside each phase: on a 2-core machine the sending
// worker competes for the CPU, so a slow /healthz with a small loop delay is the machine, not a stall.
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
  },
});
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
  const sha = createHash('sha256').update('rwa_the-one-real-token').digest('hex');
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
        .join(' ')}; ${SENDERS} senders × ${MB} MB, ${SECONDS} s idle then ${SECONDS} s flood`,
    );
    const idle = await pollHealth(base, Date.now() + SECONDS * 1000);
    const { createRequire } = await import('node:module');
    const grpcJs = createRequire(import.meta.resolve('@renderwatch/collector')).resolve('@grpc/grpc-js');
    const worker = new Worker(FLOOD_WORKER, {
      eval: true,
      workerData: { grpcJs, target: `127.0.0.1:${collector.grpcPort}`, senders: SENDERS, bytes: MB * 1024 * 1024 },
    });
    const done = new Promise<{ sent: number; codes: Record<string, number> }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const flood = await pollHealth(base, Date.now() + SECONDS * 1000);
    worker.postMessage('stop', []); // a worker's port: the second argument is its transfer list (no origin)
    const result = await done;
    await worker.terminate();
    console.log(`idle:  /healthz ${fmt(idle.ms)}, ${idle.failed} not 200; ${lag(idle.loop)}`);
    console.log(`flood: /healthz ${fmt(flood.ms)}, ${flood.failed} not 200; ${lag(flood.loop)}`);
    console.log(
      `flood: ${result.sent} junk calls of ${MB} MB (${((result.sent * MB) / 1024).toFixed(1)} GB offered); gRPC codes ${JSON.stringify(result.codes)} (16 = UNAUTHENTICATED)`,
    );
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
