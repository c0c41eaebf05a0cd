// The real agent daemon as a process (agent/bin/renderwatch-agent run): replaying a recorded H100
// nvidia-smi CSV, following a real ComfyUI log, serving /metrics, spooling and sending to a real
// collector. Then a restart: the log is not read again and batch_seq continues.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw } from '@renderwatch/collector';
import { freePort } from '@renderwatch/devkit';
import { FleetResponseSchema } from '@renderwatch/schema';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestCollector } from './test-collector.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SMI = join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'h100-80gb-hbm3-driver590-query-gpu-load.csv');
const LOG = join(ROOT, 'agent', 'test', 'fixtures', 'runtime-logs', 'comfyui', 'flux-3-jobs-legacy-loaded-format-iso-ts-2025-05.log');
const MiB = 1024 * 1024;
const FAKE_SMI = join(ROOT, 'agent', 'test', 'support', 'fake-nvidia-smi.mjs');

function exited(p: ChildProcess): Promise<number | null> {
  return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (code) => r(code)));
}

async function until<T>(f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('agent daemon process', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let dir: string;
  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'));
    dir = mkdtempSync(join(tmpdir(), 'rw-agent-'));
    cpSync(LOG, join(dir, 'comfyui.log'));
  });
  afterAll(async () => {
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startAgent(metricsPort: number, env: Record<string, string> = {}): Promise<ChildProcess> {
    const p = spawn(join(ROOT, 'agent', 'bin', 'renderwatch-agent'), ['run', '--sample-interval-ms', '500', '--flush-interval-ms', '500'], {
      env: {
        ...process.env,
        AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${c.grpcPort}`,
        AGENT_GPU_SOURCE: 'replay',
        AGENT_REPLAY_FILES: SMI,
        AGENT_HOSTNAME: 'daemon-h100',
        AGENT_RUNTIME_LOGS: `comfyui:${join(dir, 'comfyui.log')}`,
        AGENT_STATE_DIR: join(dir, 'state'),
        AGENT_METRICS_HOST: '127.0.0.1',
        AGENT_METRICS_PORT: String(metricsPort),
        AGENT_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
    return p;
  }

  it('samples, follows the log, serves /metrics, delivers, and resumes after a restart without re-reading', async () => {
    const metricsPort = await freePort();
    const agent = await startAgent(metricsPort);
    const url = `http://127.0.0.1:${c.httpPort}/api/v1/fleet`;
    const gpu = await until(async () => {
      const body = FleetResponseSchema.parse(await (await fetch(url)).json());
      return body.hosts.find((h) => h.host === 'daemon-h100')?.gpus[0];
    }, 60_000);
    // Exactly what the recording says (agent/test/fixtures/nvidia-smi/SOURCES.md).
    expect(gpu.name).toBe('NVIDIA H100 80GB HBM3');
    expect(gpu.memory_used_bytes).toBe(19818 * MiB);
    expect(gpu.memory_total_bytes).toBe(81559 * MiB);
    expect(gpu.utilization_ratio).toBe(1);
    expect(gpu.temperature_celsius).toBe(59);

    // The log holds two finished Flux jobs (17.20 s and 16.68 s) and a third one cut off.
    const jobs = await until(async () => {
      const r = await c.storage.query<{ d: number }>(
        raw("SELECT duration_s AS d FROM runtime_events WHERE host = 'daemon-h100' AND kind = 'job_end' ORDER BY ts, ts_ms"),
      );
      return r.length >= 2 ? r.map((x) => x.d) : undefined;
    }, 30_000);
    expect(jobs).toEqual([17.2, 16.68]);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/renderwatch_gpu_utilization_ratio\{[^}]*host="daemon-h100"[^}]*\} 1\b/);
    // Acked rows are counted (it stayed 0 when run.ts passed 0), and every acked row is stored
    // (the collector acks after its inserts; the API can show rows before the ack arrives).
    const exported = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const n = Number(/^renderwatch_agent_exported_rows_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
      return n > 0 ? n : undefined;
    }, 30_000);
    const [stored] = await c.storage.query<{ n: string }>(
      raw(`SELECT (SELECT count() FROM gpu_samples FINAL WHERE host = 'daemon-h100') + (SELECT count() FROM host_samples FINAL WHERE host = 'daemon-h100')
             + (SELECT count() FROM runtime_events FINAL WHERE host = 'daemon-h100') + (SELECT count() FROM gpu_status FINAL WHERE host = 'daemon-h100') AS n`),
    );
    expect(exported).toBeLessThanOrEqual(Number(stored?.n));

    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);
    const before = await c.storage.query<{ c: string; s: string }>(
      raw("SELECT count() AS c, max(batch_seq) AS s FROM runtime_events WHERE host = 'daemon-h100'"),
    );
    const seqBefore = await c.storage.query<{ s: string }>(raw("SELECT max(batch_seq) AS s FROM ingest_batches WHERE agent_id = 'agent-daemon-h100'"));

    // Restart: samples continue with higher batch_seq; the log is not read from the start again.
    const again = await startAgent(await freePort());
    await until(async () => {
      const r = await c.storage.query<{ s: string }>(raw("SELECT max(batch_seq) AS s FROM ingest_batches WHERE agent_id = 'agent-daemon-h100'"));
      return Number(r[0]?.s) > Number(seqBefore[0]?.s) ? true : undefined;
    }, 30_000);
    again.kill('SIGTERM');
    expect(await exited(again)).toBe(0);
    const after = await c.storage.query<{ c: string }>(raw("SELECT count() AS c FROM runtime_events WHERE host = 'daemon-h100'"));
    expect(Number(after[0]?.c)).toBe(Number(before[0]?.c));
  });

  it('a SIGTERM during start-up (nvidia-smi still answering its field discovery) stops the agent gracefully: exit 0, not killed by the signal', async () => {
    const metricsPort = await freePort();
    const agent = await startAgent(metricsPort, {
      AGENT_GPU_SOURCE: 'nvidia-smi',
      AGENT_NVIDIA_SMI_PATH: FAKE_SMI,
      FAKE_SMI_HELP_DELAY_MS: '4000',
      AGENT_HOSTNAME: 'daemon-startup',
      AGENT_STATE_DIR: join(dir, 'state-startup'),
    });
    // /metrics is served before the GPU source is opened: the agent is mid start-up now
    await until(async () => ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok ? true : undefined), 30_000);
    agent.kill('SIGTERM');
    const code = await exited(agent);
    expect({ code, signal: agent.signalCode }).toEqual({ code: 0, signal: null });
  });
});
