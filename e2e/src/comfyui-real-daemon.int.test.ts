// The deployed agent daemon (agent/bin/renderwatch-agent run) against the real ComfyUI
// (../shared/comfyui-real: ComfyUI 0.8.0 on CPU), configured the way a studio would: ComfyUI's API
// (AGENT_COMFYUI_URLS) and its console log file (AGENT_RUNTIME_LOGS) of the same server, both at
// once. Nothing is polled by the test: the daemon's own timers, batcher, spool and gRPC export
// deliver to a real collector and ClickHouse, and the counts are read back through the HTTP API.
// Each prompt must be one job, whichever source saw it. Skipped, with one line, where
// ../shared/comfyui-real is absent.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raw } from '@renderwatch/collector';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  columnsContaining,
  comfyuiRealPresent,
  freePort,
  startRealComfyui,
  submitPrompt,
  uploadImage,
  waitFor,
  waitForHistory,
  type RealComfyui,
} from './comfyui-real-harness.js';
import { startTestCollector } from './test-collector.js';

const present = comfyuiRealPresent();
if (!present) console.log('comfyui-real-daemon.int.test.ts skipped: ../shared/comfyui-real is absent (a clone without the real ComfyUI)');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SMI = join(ROOT, 'agent', 'test', 'fixtures', 'nvidia-smi', 'h100-80gb-hbm3-driver590-query-gpu-load.csv');
const SECRET = 'qpzv-daemon-prompt a red barn under aurora';
const CLIENT = 'rw-daemon-client';
const HOST = 'daemon-comfy';
const save = (color: number, text = ''): object => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'daemon' } },
  ...(text === ''
    ? {}
    : { '3': { class_type: 'PrimitiveStringMultiline', inputs: { value: text } }, '4': { class_type: 'PreviewAny', inputs: { source: ['3', 0] } } }),
});
const broken = {
  '1': { class_type: 'LoadImage', inputs: { image: 'daemon-broken.png' } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'daemon' } },
};

describe.skipIf(!present)('the agent daemon with the API and the log of one real ComfyUI', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  let comfy: RealComfyui | undefined;
  let agent: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rw-comfyui-daemon-'));
  const stderr: string[] = [];

  beforeAll(async () => {
    c = await startTestCollector(inject('clickhouseUrl'), { COLLECTOR_INGEST_LINGER_MS: '0', COLLECTOR_API_CACHE_TTL_MS: '0' });
  });
  afterAll(async () => {
    if (agent !== undefined && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent?.once('exit', r));
    }
    await comfy?.stop();
    await c?.storage.command(raw(`DROP DATABASE IF EXISTS ${c.config.COLLECTOR_CLICKHOUSE_DATABASE}`));
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each prompt once, its images, the failure once and the start, with no prompt text stored', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = join(dir, 'comfyui.log');
    comfy = await startRealComfyui(port, join(dir, 'base'), logFile);
    agent = spawn(join(ROOT, 'agent', 'bin', 'renderwatch-agent'), ['run', '--flush-interval-ms', '300'], {
      env: {
        ...process.env,
        AGENT_COLLECTOR_ADDRESS: `127.0.0.1:${c.grpcPort}`,
        AGENT_GPU_SOURCE: 'replay',
        AGENT_REPLAY_FILES: SMI,
        AGENT_HOSTNAME: HOST,
        AGENT_COMFYUI_URLS: url,
        AGENT_COMFYUI_POLL_INTERVAL_MS: '200',
        AGENT_RUNTIME_LOGS: `comfyui:${logFile}`,
        AGENT_STATE_DIR: join(dir, 'state'),
        AGENT_METRICS_PORT: '0',
        AGENT_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    agent.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));

    const db = c.config.COLLECTOR_CLICKHOUSE_DATABASE;
    const count = async (kind: string): Promise<number> => {
      const [r] = await c.storage.query<{ n: string | number }>(
        raw(`SELECT count() AS n FROM ${db}.runtime_events WHERE host = '${HOST}' AND kind = '${kind}'`),
      );
      return Number(r?.n ?? 0);
    };
    // the agent has seen the server come up before any prompt is sent
    await waitFor('the runtime start in ClickHouse', async () => (await count('runtime_start')) > 0, 60_000);

    const j1 = await submitPrompt(url, save(21, SECRET), CLIENT, { extra_pnginfo: { workflow: { notes: SECRET } } });
    await waitForHistory(url, [j1]);
    const j2 = await submitPrompt(url, save(21, SECRET), CLIENT); // the same graph: every node cached, no new file
    await waitForHistory(url, [j2]);
    await uploadImage(url, 'daemon-broken.png', 'not a png either');
    const j3 = await submitPrompt(url, broken, CLIENT);
    await waitForHistory(url, [j3]);
    const j4 = await submitPrompt(url, save(22), CLIENT);
    await waitForHistory(url, [j4]);
    const ids = [j1, j2, j3, j4];

    await waitFor('every job end in ClickHouse', async () => (await count('job_end')) >= ids.length, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; the agent said: ${stderr.join('').slice(-3000)}`);
    });
    // a second and a half more of polls, log reads and flushes: a copy from the other source would land by then
    await new Promise((r) => setTimeout(r, 1500));
    const ends = await c.storage.query<{ job_id: string; outcome: string; images: string | number }>(
      raw(`SELECT job_id, outcome, images FROM ${db}.runtime_events WHERE host = '${HOST}' AND kind = 'job_end' ORDER BY ts, ts_ms, batch_seq, seq`),
    );
    expect(ends.map((e) => [e.job_id, e.outcome, Number(e.images)])).toEqual([
      [j1, 'ok', 1],
      [j2, 'ok', 0],
      [j3, 'error', 0],
      [j4, 'ok', 1],
    ]);
    const starts = await c.storage.query<{ job_id: string }>(
      raw(`SELECT job_id FROM ${db}.runtime_events WHERE host = '${HOST}' AND kind = 'job_start' ORDER BY ts, ts_ms, batch_seq, seq`),
    );
    expect(starts.map((s) => s.job_id)).toEqual(ids);
    const errors = await c.storage.query<{ error_type: string }>(raw(`SELECT error_type FROM ${db}.runtime_events WHERE host = '${HOST}' AND kind = 'error'`));
    expect(errors).toEqual([{ error_type: 'PIL.UnidentifiedImageError' }]);
    expect(await count('runtime_start')).toBe(1);
    expect(await count('runtime_ready')).toBe(1);
    const first = await c.storage.query<{ job_id: string }>(raw(`SELECT job_id FROM ${db}.runtime_events WHERE host = '${HOST}' AND kind = 'first_image'`));
    expect(first).toEqual([{ job_id: j1 }]);

    // the HTTP API counts the same jobs
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/jobs/stats?host=${HOST}&from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as { rows?: { jobs?: number; ok?: number; failed?: number; images?: number }[] } & Record<string, unknown>;
    expect(JSON.stringify(stats)).toContain('"jobs":4');

    expect(await columnsContaining(c.storage, db, 'qpzv-daemon')).toEqual([]);
    expect(stderr.join('')).not.toContain('qpzv-daemon');
  }, 180_000);
});
