// GPU sampling through nvidia-smi, the fallback when NVML cannot be loaded. One long-lived
// `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits -lms <interval>` process feeds
// the latest row per GPU; a watchdog kills it when it stays silent past the hard timeout and a
// supervisor restarts it (with capped backoff) whenever it dies. Never `-q -x` per sample.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { AgentError } from '../errors.js';
import { createFailureReporter, type SampleErrorCounter } from './failure-reporter.js';
import type { GpuReadingDetail, GpuSampleResult, GpuSampler } from './sampler.js';
import { attachComputeApps, parseComputeAppsCsv, readingFromCsvRow, parseCsvRows, type ComputeApp } from './smi-csv.js';
import { parseHelpQueryGpu, selectQueryFields } from './smi-fields.js';

export interface NvidiaSmiSamplerOptions {
  /** The nvidia-smi executable (default `nvidia-smi` on PATH). */
  smiPath?: string;
  /** Loop interval of the long-lived process (ms). */
  intervalMs?: number;
  /** Hard timeout: no output for this long means nvidia-smi hangs (default max(5 s, 3 intervals)). */
  timeoutMs?: number;
  /** Query `--query-compute-apps` every N samples (0 = never; default 10). */
  computeAppsEvery?: number;
  log?: Logger;
  counter?: SampleErrorCounter;
  now?: () => number;
}

export interface NvidiaSmiSampler extends GpuSampler {
  readonly source: 'nvidia-smi';
  /** The field list in use (after `--help-query-gpu` discovery). */
  readonly fields: readonly string[];
  /** Times the long-lived process was (re)started. */
  readonly starts: number;
  readonly failures: number;
}

const APPS_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_gpu_memory'];
const RUNBOOK = 'docs/runbooks/gpu-sampling.md';

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; error: AgentError }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => {
      if (err === null) resolve({ ok: true, stdout });
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, error: new AgentError('AGT_ERR_SMI_NOT_FOUND', cmd, { cause: err }) });
      else if (err.killed) resolve({ ok: false, error: new AgentError('AGT_ERR_SMI_TIMEOUT', `${args[0] ?? ''} after ${timeoutMs} ms`, { cause: err }) });
      else resolve({ ok: false, error: new AgentError('AGT_ERR_SMI_EXITED', `${args[0] ?? ''}: ${err.message}`, { cause: err }) });
    });
  });
}

/**
 * Discovers the fields, starts the long-lived process and resolves once it runs. Rejects with
 * AGT_ERR_SMI_NOT_FOUND when there is no nvidia-smi (then there is no GPU source at all).
 */
export async function createNvidiaSmiSampler(opts: NvidiaSmiSamplerOptions = {}): Promise<NvidiaSmiSampler> {
  const smi = opts.smiPath ?? 'nvidia-smi';
  const intervalMs = opts.intervalMs ?? 1000;
  const timeoutMs = opts.timeoutMs ?? Math.max(5000, 3 * intervalMs);
  const now = opts.now ?? Date.now;
  const log = opts.log?.child({ module: 'sampling.nvidia-smi' });
  const failures = createFailureReporter({
    source: 'nvidia-smi',
    intervalMs,
    now,
    runbook: RUNBOOK,
    ...(log === undefined ? {} : { log }),
    ...(opts.counter === undefined ? {} : { counter: opts.counter }),
  });

  const help = await run(smi, ['--help-query-gpu'], timeoutMs);
  if (!help.ok && help.error.code === 'AGT_ERR_SMI_NOT_FOUND') throw help.error;
  if (!help.ok) failures.report('help', help.error);
  const fields = selectQueryFields(help.ok ? parseHelpQueryGpu(help.stdout) : new Set());

  const latest = new Map<number, { reading: GpuReadingDetail; at: number }>();
  let child: ChildProcess | undefined;
  let closed = false;
  let starts = 0;
  let backoffMs = 1000;
  let lastOutputAt = now();
  let restartTimer: NodeJS.Timeout | undefined;
  let apps: ComputeApp[] | undefined;
  let samples = 0;

  function start(): void {
    if (closed) return;
    starts += 1;
    lastOutputAt = now();
    const args = [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(intervalMs)];
    const proc = spawn(smi, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let buffered = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      lastOutputAt = now();
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const row = parseCsvRows(line, fields)[0];
        if (row === undefined) continue;
        const reading = readingFromCsvRow(row, latest.size);
        latest.set(reading.index, { reading, at: lastOutputAt });
        backoffMs = 1000;
      }
    });
    proc.stderr?.resume();
    proc.on('error', (err) => failures.report('process', new AgentError('AGT_ERR_SMI_EXITED', 'spawn failed', { cause: err })));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = undefined;
      if (closed) return;
      failures.report('process', new AgentError('AGT_ERR_SMI_EXITED', `exit code ${code ?? 'none'}, signal ${signal ?? 'none'}`));
      restartTimer = setTimeout(start, backoffMs);
      restartTimer.unref();
      backoffMs = Math.min(backoffMs * 2, 30_000);
    });
  }

  // Watchdog: a silent nvidia-smi past the hard timeout is killed; the exit handler restarts it.
  const watchdog = setInterval(
    () => {
      if (child !== undefined && now() - lastOutputAt > timeoutMs) {
        failures.report('process', new AgentError('AGT_ERR_SMI_TIMEOUT', `no output for ${timeoutMs} ms, restarting`));
        lastOutputAt = now();
        child.kill('SIGKILL');
      }
    },
    Math.min(timeoutMs, 1000),
  );
  watchdog.unref();
  start();
  log?.info({ fields: fields.length, interval_ms: intervalMs, timeout_ms: timeoutMs }, 'nvidia-smi sampler started');

  async function refreshApps(): Promise<void> {
    const r = await run(smi, [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);
    if (r.ok) apps = parseComputeAppsCsv(r.stdout, APPS_FIELDS);
    else failures.report('compute-apps', r.error);
  }

  return {
    source: 'nvidia-smi',
    fields,
    get starts() {
      return starts;
    },
    get failures() {
      return failures.count;
    },
    async sample(): Promise<GpuSampleResult> {
      if (closed) return { gpus: [], status: [] };
      const every = opts.computeAppsEvery ?? 10;
      if (every > 0 && samples % every === 0) await refreshApps();
      samples += 1;
      const ts = now();
      // Only rows from the last timeout window: stale numbers are worse than none.
      const fresh = [...latest.values()].filter((e) => ts - e.at <= timeoutMs).map((e) => structuredClone(e.reading));
      fresh.sort((a, b) => a.index - b.index);
      if (apps !== undefined) attachComputeApps(fresh, apps);
      return { gpus: fresh.map((g) => ({ ...g, ts_unix_ms: ts })), status: [] };
    },
    close(): Promise<void> {
      closed = true;
      clearInterval(watchdog);
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const proc = child;
      if (proc === undefined || proc.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}

/**
 * One `--query-gpu` spawn (no loop), with `--help-query-gpu` discovery and compute apps: for
 * `sample --once` and for the benchmark's fallback baseline. Expected failures are values.
 */
export async function queryNvidiaSmiOnce(
  opts: { smiPath?: string; timeoutMs?: number; fields?: readonly string[] } = {},
): Promise<{ ok: true; gpus: GpuReadingDetail[] } | { ok: false; error: AgentError }> {
  const smi = opts.smiPath ?? 'nvidia-smi';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let fields = opts.fields;
  if (fields === undefined) {
    const help = await run(smi, ['--help-query-gpu'], timeoutMs);
    if (!help.ok && help.error.code === 'AGT_ERR_SMI_NOT_FOUND') return help;
    fields = selectQueryFields(help.ok ? parseHelpQueryGpu(help.stdout) : new Set());
  }
  const r = await run(smi, [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);
  if (!r.ok) return r;
  const gpus = parseCsvRows(r.stdout, fields).map((row, i) => readingFromCsvRow(row, i));
  const apps = await run(smi, [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], timeoutMs);
  if (apps.ok) attachComputeApps(gpus, parseComputeAppsCsv(apps.stdout, APPS_FIELDS));
  return { ok: true, gpus };
}
