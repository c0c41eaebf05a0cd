// metrics-scrape: what one /metrics scrape of the agent costs in allocation, the figure that decides
// its CPU share in agent-overhead (scavenges and page faults follow allocation; bench/README.md).
// The agent's metrics as the daemon builds them (process metrics on, native families) fed 8 GPUs
// from the fake libnvidia-ml.so, the host and ComfyUI job events; then, per round, a new sample is
// observed and /metrics is scraped over HTTP from the agent's own server (a raw socket client, the
// body discarded). Allocation from V8's sampling heap profiler with collected objects included,
// split into the body (what the server renders) and the whole round; run under the systemd unit's
// node flags (--no-opt: no escape analysis hides an allocation).
// usage: npm run bench -- metrics-scrape [rounds=300]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentMetrics, createNvmlSampler, startMetricsServer } from '@renderwatch/agent/harness';
import type { RuntimeEvent } from '@renderwatch/schema';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';
import { machineLine } from './bench-env.js';

const ROUNDS = Number(process.argv[2] ?? 300);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = 'RW_METRICS_SCRAPE_CHILD';

let kept = 0;
type Post = (method: string, params?: object) => Promise<unknown>;

function unitFlags(): string[] {
  const unit = readFileSync(join(ROOT, 'deploy', 'systemd', 'renderwatch-agent.service'), 'utf8');
  const exec = /^ExecStart=\S*node((?:\s+--\S+)*)\s+\S+renderwatch-agent\.mjs run/m.exec(unit);
  return (exec?.[1] ?? '').split(/\s+/).filter((s) => s !== '');
}

/** Bytes allocated (sampled, collected objects included) while `fn` runs. */
async function allocated(post: Post, fn: () => Promise<void>): Promise<number> {
  await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await fn();
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  // RW_METRICS_SCRAPE_PROFILE=<prefix>: keep each phase's profile (<prefix>-<n>.json) to see where it goes.
  const keep = process.env['RW_METRICS_SCRAPE_PROFILE'];
  if (keep !== undefined) writeFileSync(`${keep}-${++kept}.json`, JSON.stringify({ seconds: ROUNDS, profile }));
  interface Node {
    selfSize: number;
    children: Node[];
  }
  const sum = (n: Node): number => n.children.reduce((s, c) => s + sum(c), n.selfSize);
  return sum(profile.head);
}

/**
 * GET /metrics on a kept-alive socket; resolves with the bytes received once the whole response is
 * in (Content-Length, or the last chunk of a chunked body).
 */
function scraper(port: number): { get(): Promise<number>; close(): void } {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  sock.on('error', () => undefined);
  const req = Buffer.from('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n');
  let length = -1;
  let got = 0;
  let head = '';
  let done: ((n: number) => void) | undefined;
  const finish = (): void => {
    const n = got;
    length = -1;
    got = 0;
    head = '';
    const d = done;
    done = undefined;
    d?.(n);
  };
  sock.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (head.length < 4096 && !head.includes('\r\n\r\n')) {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, 1024));
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) length = /content-length: (\d+)/i.test(head) ? end + 4 + Number(/content-length: (\d+)/i.exec(head)?.[1]) : -1;
    }
    const chunkedEnd = length < 0 && chunk.length >= 5 && chunk.toString('latin1', chunk.length - 5) === '0\r\n\r\n';
    if ((length >= 0 && got >= length) || chunkedEnd) finish();
  });
  return {
    get: () =>
      new Promise<number>((resolve) => {
        done = resolve;
        sock.write(req);
      }),
    close: () => sock.destroy(),
  };
}

const hostAt = (i: number): Parameters<ReturnType<typeof createAgentMetrics>['observeHost']>[0] => ({
  ts_unix_ms: Date.now(),
  cpu_ratio: 0.1 + (i % 10) / 100,
  memory_used_bytes: 8e9 + i * 4096,
  memory_total_bytes: 25e9,
  swap_used_bytes: 0,
  swap_total_bytes: 0,
  volumes: [{ mount: '/', role: 'model', size_bytes: 1e11, free_bytes: 5e10 - i * 4096 }],
  disk_read_bytes_per_s: 1000 + i,
  disk_write_bytes_per_s: 20000 + i,
  net_rx_bytes_per_s: 300 + i,
  net_tx_bytes_per_s: 400 + i,
});

async function child(): Promise<void> {
  process.env['FAKE_NVML_SCENARIO'] = join(FAKE_NVML_SCENARIOS, 'eight-gpus.json');
  const sampler = createNvmlSampler({ libPath: buildFakeNvml(), intervalMs: 1000, xidWaitMs: 500 });
  const m = createAgentMetrics({ host: 'bench-overhead', agentVersion: '0.1.0' });
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: m.registry, extra: (open) => m.sampleBytes(open) });
  const events: RuntimeEvent[] = [
    { runtime: 'comfyui', kind: 'runtime_start' },
    { runtime: 'comfyui', kind: 'job_start' },
    { runtime: 'comfyui', kind: 'job_end', outcome: 'ok', duration_s: 1.8 },
    { runtime: 'comfyui', kind: 'queue', pending: 1, running: 1 },
  ];
  // Samples taken up front, so the rounds measure the metrics side alone.
  const samples: Parameters<typeof m.observeGpus>[0][] = [];
  for (let i = 0; i < 20; i++) samples.push((await sampler.sample()).gpus);
  await sampler.close();
  let http = scraper(server.port);
  let bytes = 0;
  let bodyBytes = 0;
  const round = async (i: number, overHttp: boolean): Promise<void> => {
    m.observeGpus(samples[i % samples.length] ?? [], Date.now());
    m.observeHost(hostAt(i));
    if (i % 2 === 0) for (const e of events) m.observeEvent(e);
    if (overHttp) bytes = await http.get();
    else bodyBytes = Buffer.concat(m.body(false)).length;
  };
  for (let i = 0; i < 50; i++) await round(i, true);
  const s = new Session();
  s.connect();
  const post: Post = (method, params) => new Promise((res, rej) => s.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r))));
  await post('HeapProfiler.enable');
  const body = await allocated(post, async () => {
    for (let i = 0; i < ROUNDS; i++) await round(i, false);
  });
  // A fresh connection: the server's keep-alive timeout (5 s) may have closed the warm-up one.
  http.close();
  http = scraper(server.port);
  await http.get();
  const whole = await allocated(post, async () => {
    for (let i = 0; i < ROUNDS; i++) await round(i, true);
  });
  http.close();
  await server.close();
  const kb = (b: number): string => (b / ROUNDS / 1024).toFixed(1);
  console.log(`body ${bodyBytes} bytes, response ${bytes} bytes; ${ROUNDS} rounds (a new 8-GPU + host sample, job events every other round, one scrape)`);
  console.log(`allocated per round: observe + render the text body ${kb(body)} KB; observe + scrape over HTTP (server and client) ${kb(whole)} KB`);
  console.log(`metrics-scrape: ${kb(whole)} KB allocated per sample + scrape (${kb(body)} KB rendering the body)`);
}

if (process.env[CHILD] === '1') {
  child().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  console.log(machineLine());
  const flags = unitFlags().filter((f) => !f.startsWith('--max-old-space-size'));
  console.log(`child node flags: ${flags.join(' ')}`);
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx/esm', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, [CHILD]: '1' },
  });
  process.exitCode = r.status ?? 1;
}
