// agent-overhead: the deployed agent next to Debian's prometheus-node-exporter, in one run. The bundle
// (`npm run bundle` → node agent/dist/renderwatch-agent.mjs run) samples 8 GPUs through the fake
// libnvidia-ml.so every second, the host, and follows a ComfyUI log growing by ~20 lines a second,
// exporting over gRPC to a real collector (ClickHouse behind it); both processes' /metrics are
// scraped once a second. Over the measured window: CPU of each from /proc/PID/stat (utime+stime),
// the ratio, peak RSS (VmHWM) of each, and the agent's CPU per thread (/proc/PID/task/*/stat).
// Extra lines: the NVML sampler alone (latency of one 8-GPU sample, in this process).
// The agent runs with the node flags of its systemd unit (deploy/systemd/renderwatch-agent.service).
// usage: npm run bench -- agent-overhead [seconds=60]   (AGENT_BENCH_NODE_FLAGS='...' to try other flags,
// AGENT_BENCH_STDOUT=<file> to keep the agent's stdout, e.g. --trace-gc; AGENT_BENCH_BUNDLE_DIR=<dist copy> runs that bundle unbuilt; AGENT_BENCH_COMPARE=<dist dir> runs a second
// agent from another bundle (a copy of agent/dist built from another tree) beside the first, same workload,
// with AGENT_BENCH_COMPARE_FLAGS='...' as its node flags (default: the same), and prints both: an A/B in one run)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNvmlSampler } from '@renderwatch/agent/harness';
import { parseCollectorConfig, raw, startCollector } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import pino from 'pino';
import { buildFakeNvml, FAKE_NVML_SCENARIOS } from '../../agent/test/support/build-fake-nvml.js';
import { benchClickHouse, machineLine, percentile } from './bench-env.js';

const SECONDS = Number(process.argv[2] ?? 60);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
// AGENT_BENCH_BUNDLE_DIR=<dist copy>: run that bundle instead of building agent/dist (flag A/B runs of one build).
const BUNDLE_DIR = process.env['AGENT_BENCH_BUNDLE_DIR'];
const BUNDLE = join(BUNDLE_DIR ?? join(ROOT, 'agent', 'dist'), 'renderwatch-agent.mjs');
const TICK = 100; // USER_HZ on Linux
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** utime+stime of a process or thread, seconds; for a process also of its waited-for children (cutime+cstime). */
function cpuOf(statPath: string, children = false): number {
  const f = readFileSync(statPath, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12]) + (children ? Number(rest[13]) + Number(rest[14]) : 0)) / TICK;
}
const commOf = (statPath: string): string => {
  const f = readFileSync(statPath, 'utf8');
  return f.slice(f.indexOf('(') + 1, f.lastIndexOf(')'));
};

/** Minor page faults of a process so far (/proc/PID/stat minflt): they follow the agent's allocation rate. */
function minflt(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[7]);
}
const statusMb = (pid: number, key: string): number =>
  Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const hwmMb = (pid: number): number => statusMb(pid, 'VmHWM');
/** A gauge from Prometheus text (the agent's own nodejs_* / process_* series), MB. */
const gaugeMb = (text: string, name: string): string => {
  const v = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
  return v === undefined ? '?' : (Number(v) / 1024 / 1024).toFixed(1);
};

/** What a bundle file mostly holds, from its source map (the build writes one beside each file): `(grpc-js, ...)`. */
function chunkContents(file: string): string {
  if (!existsSync(`${file}.map`)) return '';
  const { sources } = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  const count = new Map<string, number>();
  for (const src of sources) {
    const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(src)?.[1] ?? /(agent|schema|proto)\/(?:src|gen)\//.exec(src)?.[1];
    if (pkg !== undefined) count.set(pkg, (count.get(pkg) ?? 0) + 1);
  }
  const top = [...count].sort((a, b) => b[1] - a[1]).slice(0, 2);
  return top.length === 0 ? '' : `(${top.map(([k]) => k).join(', ')})`;
}

/**
 * The bundle files the daemon loads in this configuration: the `run` subcommand's chunk and its static
 * imports (the entry imports each subcommand when asked; OTLP, the ComfyUI API, replay and the nvidia-smi
 * sampler are imported by run only when configured). V8 keeps each loaded module's source in memory.
 */
function runModuleGraph(dist: string): { files: number; kb: number; largest: string } {
  const entry = readFileSync(join(dist, 'renderwatch-agent.mjs'), 'utf8');
  const run = /import\(\s*["'](\.\/chunks\/run-[^"']+\.mjs)["']\s*\)/.exec(entry)?.[1];
  const seen = new Map<string, number>([['renderwatch-agent.mjs', entry.length]]);
  const todo = run === undefined ? [] : [run.slice(2)];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue;
    const text = readFileSync(join(dist, f), 'utf8');
    seen.set(f, text.length);
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+\.mjs)["']/g)) todo.push(join(dirname(f), m[1] ?? ''));
  }
  const sizes = [...seen].sort((a, b) => b[1] - a[1]);
  return {
    files: seen.size,
    kb: sizes.reduce((n, [, b]) => n + b, 0) / 1024,
    largest: sizes
      .slice(0, 4)
      .map(([f, b]) => `${basename(f)} ${(b / 1024).toFixed(0)} KB ${chunkContents(join(dist, f))}`)
      .join(', '),
  };
}

/** CPU seconds per thread of a process, keyed by tid (with its name). */
function threads(pid: number): Map<string, { comm: string; cpu: number }> {
  const out = new Map<string, { comm: string; cpu: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const p = `/proc/${pid}/task/${tid}/stat`;
      out.set(tid, { comm: commOf(p), cpu: cpuOf(p) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The node flags the daemon is deployed with (ExecStart of the systemd unit), unless AGENT_BENCH_NODE_FLAGS says otherwise. */
function nodeFlags(): string[] {
  const env = process.env['AGENT_BENCH_NODE_FLAGS'];
  if (env !== undefined) return env.split(' ').filter((s) => s !== '');
  const unit = readFileSync(join(ROOT, 'deploy', 'systemd', 'renderwatch-agent.service'), 'utf8');
  const exec = /^ExecStart=\S*node((?:\s+--\S+)*)\s+\S+renderwatch-agent\.mjs run/m.exec(unit);
  if (exec === null) throw new Error('deploy/systemd/renderwatch-agent.service: no ExecStart=node [flags] .../renderwatch-agent.mjs run');
  return (exec[1] ?? '').split(/\s+/).filter((s) => s !== '');
}

async function untilUp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer in ${ms} ms`);
    await sleep(200);
  }
}

/** Appends ComfyUI-shaped lines, ~20 a second: a job every ~2 s (got prompt, progress, executed). */
function comfyLog(paths: readonly string[]): () => void {
  let n = 0;
  const t = setInterval(() => {
    const ts = new Date().toISOString().replace('Z', '');
    const lines: string[] = [];
    for (let i = 0; i < 5; i++, n++) {
      const k = n % 40;
      if (k === 0) lines.push(`${ts} - got prompt`);
      else if (k === 39) lines.push(`${ts} - Prompt executed in ${(1.5 + (n % 7) / 10).toFixed(2)} seconds`);
      else
        lines.push(`${ts} - ${Math.round((k / 39) * 100)}%|${'█'.repeat(Math.round(k / 4))}| ${k}/38 [00:0${k % 10}<00:01,  ${(2 + k / 100).toFixed(2)}it/s]`);
    }
    for (const path of paths) appendFileSync(path, `${lines.join('\n')}\n`);
  }, 250);
  return () => clearInterval(t);
}

function samplerOnly(libPath: string): Promise<string> {
  process.env['FAKE_NVML_SCENARIO'] = join(FAKE_NVML_SCENARIOS, 'eight-gpus.json');
  const sampler = createNvmlSampler({ libPath, intervalMs: 1000, xidWaitMs: 500 });
  return (async () => {
    for (let i = 0; i < 50; i++) await sampler.sample();
    const lat: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await sampler.sample();
      lat.push(performance.now() - t0);
    }
    await sampler.close();
    lat.sort((a, b) => a - b);
    return `sampler only (NVML, 8 GPUs, in the bench process): p50 ${percentile(lat, 50).toFixed(3)} ms, p95 ${percentile(lat, 95).toFixed(3)} ms per sample (300 samples)`;
  })();
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (!existsSync(NODE_EXPORTER)) throw new Error(`${NODE_EXPORTER} is missing: apt-get install prometheus-node-exporter`);
  if (BUNDLE_DIR === undefined) {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-agent.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run bundle failed');
  }
  const lib = buildFakeNvml();
  const dir = mkdtempSync(join(tmpdir(), 'rw-overhead-'));
  const ch = await benchClickHouse();
  const cfg = parseCollectorConfig({
    COLLECTOR_CLICKHOUSE_URL: ch.url,
    COLLECTOR_CLICKHOUSE_DATABASE: 'rw_bench_overhead',
    COLLECTOR_HOST: '127.0.0.1',
    COLLECTOR_HTTP_PORT: '0',
    COLLECTOR_GRPC_PORT: '0',
    COLLECTOR_LOG_LEVEL: 'silent',
  });
  if (!cfg.ok) throw new Error(cfg.issues.join('; '));
  const collector = await startCollector(cfg.config, pino({ level: 'silent' }));
  const logPath = join(dir, 'comfyui.log');
  writeFileSync(logPath, '');
  if (process.env['AGENT_BENCH_COMPARE'] !== undefined) writeFileSync(`${logPath}.b`, '');
  const stopLog = comfyLog(process.env['AGENT_BENCH_COMPARE'] === undefined ? [logPath] : [logPath, `${logPath}.b`]);
  const nePort = await freePort();
  const agentPort = await freePort();
  const children: ChildProcess[] = [];
  try {
    const ne = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
    children.push(ne);
    const flags = nodeFlags();
    const stdoutFile = process.env['AGENT_BENCH_STDOUT'];
    const startAgent = (bundle: string, nodeArgs: string[], name: string, log: string, port: number, stdout: number | 'ignore'): ChildProcess =>
      spawn(process.execPath, [...nodeArgs, bundle, 'run'], {
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          AGENT_GPU_SOURCE: 'nvml',
          AGENT_NVML_LIB: lib,
          FAKE_NVML_SCENARIO: join(FAKE_NVML_SCENARIOS, 'eight-gpus.json'),
          AGENT_HOSTNAME: name,
          AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${collector.grpcPort}`,
          AGENT_RUNTIME_LOGS: `comfyui:${log}`,
          AGENT_STATE_DIR: join(dir, `state-${name}`),
          AGENT_METRICS_HOST: '127.0.0.1',
          AGENT_METRICS_PORT: String(port),
          AGENT_LOG_LEVEL: 'warn',
        },
        // AGENT_BENCH_STDOUT=<file> keeps the agent's stdout (e.g. with --trace-gc in AGENT_BENCH_NODE_FLAGS).
        stdio: ['ignore', stdout, 'inherit'],
      });
    const agent = startAgent(BUNDLE, flags, 'bench-overhead', logPath, agentPort, stdoutFile === undefined ? 'ignore' : openSync(stdoutFile, 'w'));
    children.push(agent);
    // AGENT_BENCH_COMPARE=<dist dir>: a second agent from another bundle, same workload (its own log, fed the same lines).
    const compareDir = process.env['AGENT_BENCH_COMPARE'];
    const bPort = await freePort();
    const compareFlags = process.env['AGENT_BENCH_COMPARE_FLAGS']?.split(' ').filter((x) => x !== '') ?? flags;
    const agentB =
      compareDir === undefined
        ? undefined
        : startAgent(join(compareDir, 'renderwatch-agent.mjs'), compareFlags, 'bench-overhead-b', `${logPath}.b`, bPort, 'ignore');
    if (agentB !== undefined) children.push(agentB);
    const nePid = ne.pid ?? 0;
    const agentPid = agent.pid ?? 0;
    await untilUp(`http://127.0.0.1:${nePort}/metrics`, 20_000);
    await untilUp(`http://127.0.0.1:${agentPort}/metrics`, 30_000);
    if (agentB !== undefined) await untilUp(`http://127.0.0.1:${bPort}/metrics`, 30_000);
    /** Scrapes both (all three with a compared agent, in alternating order); returns the agent's text. */
    let scrapes = 0;
    const scrape = async (): Promise<string> => {
      await (await fetch(`http://127.0.0.1:${nePort}/metrics`)).text();
      const b = agentB === undefined ? undefined : async (): Promise<void> => void (await (await fetch(`http://127.0.0.1:${bPort}/metrics`)).text());
      if (b !== undefined && scrapes % 2 === 1) await b();
      const text = await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text();
      if (b !== undefined && scrapes++ % 2 === 0) await b();
      return text;
    };
    for (let i = 0; i < 5; i++) {
      await scrape();
      await sleep(1000);
    }
    const f0 = minflt(agentPid);
    const a0 = cpuOf(`/proc/${agentPid}/stat`, true);
    const n0 = cpuOf(`/proc/${nePid}/stat`, true);
    const t0threads = threads(agentPid);
    const bPid = agentB?.pid ?? 0;
    const b0 = agentB === undefined ? 0 : cpuOf(`/proc/${bPid}/stat`, true);
    const b0main = agentB === undefined ? 0 : cpuOf(`/proc/${bPid}/task/${bPid}/stat`);
    const a0main = cpuOf(`/proc/${agentPid}/task/${agentPid}/stat`);
    const w0 = performance.now();
    let agentText = '';
    for (let i = 0; i < SECONDS; i++) {
      const next = w0 + (i + 1) * 1000;
      agentText = await scrape();
      await sleep(Math.max(0, next - performance.now()));
    }
    const wall = (performance.now() - w0) / 1000;
    const faults = (minflt(agentPid) - f0) / wall;
    const agentCpu = (cpuOf(`/proc/${agentPid}/stat`, true) - a0) / wall;
    const neCpu = (cpuOf(`/proc/${nePid}/stat`, true) - n0) / wall;
    const t1threads = threads(agentPid);
    if (agentB !== undefined) {
      const bCpu = (cpuOf(`/proc/${bPid}/stat`, true) - b0) / wall;
      const bMain = (cpuOf(`/proc/${bPid}/task/${bPid}/stat`) - b0main) / wall;
      const aMain = (cpuOf(`/proc/${agentPid}/task/${agentPid}/stat`) - a0main) / wall;
      console.log(
        `compare: A (${BUNDLE_DIR ?? 'this tree'}) ${(agentCpu * 100).toFixed(2)}% (main ${(aMain * 100).toFixed(2)}%), B (${compareDir}${compareFlags === flags ? '' : ` ${compareFlags.join(' ')}`}) ${(bCpu * 100).toFixed(2)}% (main ${(bMain * 100).toFixed(2)}%), peak RSS ${hwmMb(bPid).toFixed(1)} MB; A/B ${(agentCpu / Math.max(bCpu, 1e-9)).toFixed(3)} (main ${(aMain / Math.max(bMain, 1e-9)).toFixed(3)})`,
      );
    }
    const agentHwm = hwmMb(agentPid);
    const neHwm = hwmMb(nePid);
    const [rows] = await collector.storage.query<{ c: string }>(raw("SELECT count() AS c FROM gpu_samples WHERE host = 'bench-overhead'"));
    console.log(`window ${wall.toFixed(1)} s, ${SECONDS} scrapes of each /metrics; gpu rows stored by the collector: ${rows?.c ?? 0}`);
    console.log(
      `agent (bundle${flags.length > 0 ? ` ${flags.join(' ')}` : ''}): ${(agentCpu * 100).toFixed(2)}% of one core, peak RSS ${agentHwm.toFixed(1)} MB`,
    );
    console.log(`prometheus-node-exporter: ${(neCpu * 100).toFixed(2)}% of one core, peak RSS ${neHwm.toFixed(1)} MB`);
    const byThread = [...t1threads].map(([tid, t]) => ({
      name: `${tid === String(agentPid) ? 'main' : t.comm}/${tid}`,
      cpu: t.cpu - (t0threads.get(tid)?.cpu ?? 0),
    }));
    const per = byThread
      .filter((t) => t.cpu > 0)
      .sort((x, y) => y.cpu - x.cpu)
      .map((t) => `${t.name} ${((t.cpu / wall) * 100).toFixed(2)}%`);
    console.log(`agent threads (share of one core): ${per.join(', ')}`);
    // Where the agent's memory is (module sources and their compiled code are in the V8 heap) and how
    // fast it makes garbage (each scavenge frees new-space pages that the next allocations fault in again).
    console.log(
      `agent memory at the end: RSS ${statusMb(agentPid, 'VmRSS').toFixed(1)} MB = anonymous ${statusMb(agentPid, 'RssAnon').toFixed(1)} MB (V8 heap ${gaugeMb(agentText, 'nodejs_heap_size_used_bytes')} MB used of ${gaugeMb(agentText, 'nodejs_heap_size_total_bytes')} MB, external ${gaugeMb(agentText, 'nodejs_external_memory_bytes')} MB) + file-backed ${statusMb(agentPid, 'RssFile').toFixed(1)} MB (the node binary, koffi); minor page faults ${faults.toFixed(0)}/s`,
    );
    const graph = runModuleGraph(dirname(BUNDLE));
    console.log(`agent modules loaded by \`run\` here: ${graph.files} bundle files, ${graph.kb.toFixed(0)} KB of source (largest: ${graph.largest})`);
    console.log(await samplerOnly(lib));
    const ratio = agentCpu / Math.max(neCpu, 1e-9);
    console.log(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(`agent-overhead: ${ratio.toFixed(2)}x node_exporter CPU, ${agentHwm.toFixed(0)} MB peak RSS (target <= 1.0x, <= 64 MB)`);
  } finally {
    stopLog();
    for (const c of children) c.kill('SIGTERM');
    await sleep(500);
    await collector.storage.command(raw('DROP DATABASE IF EXISTS rw_bench_overhead')).catch(() => undefined);
    await collector.stop();
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
