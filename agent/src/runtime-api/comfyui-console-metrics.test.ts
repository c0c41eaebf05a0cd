// renderwatch_runtime_log_unreadable_lines_total{runtime="comfyui"} counts the ComfyUI console
// stream's unreadable lines as it counts a log file's, through the real wiring: `renderwatch-agent
// run` with AGENT_COMFYUI_URLS (commands/run.ts → runtime-api/comfyui-api-sources.ts → telemetry
// sinks) watching the fake ComfyUI (test/support/fake-comfyui.ts, frames as the real server's).
// A ComfyUI whose log file is followed too (paired, sources/comfyui-pairing.ts) is counted by the
// log follower only.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeComfyui, type FakeComfyui } from '../../test/support/fake-comfyui.js';
import { freePort } from '../../test/support/free-port.js';

const AGENT = join(import.meta.dirname, '../../bin/renderwatch-agent');
const FAMILY = 'renderwatch_runtime_log_unreadable_lines_total';
const series = (text: string): string[] => text.split('\n').filter((l) => l.startsWith(`${FAMILY}{`));
const T = '2026-03-04T05:06:07.';

let dir: string;
let agent: ChildProcess | undefined;
let comfy: FakeComfyui | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-console-unreadable-'));
});
afterEach(async () => {
  agent?.kill('SIGKILL');
  agent = undefined;
  await comfy?.stop();
  comfy = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: () => Promise<T> | T, ok: (v: T) => boolean): Promise<T> {
  let v = await what();
  for (let i = 0; i < 150 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 200));
    v = await what();
  }
  return v;
}
const scrape = async (url: string): Promise<string> => {
  try {
    return await (await fetch(url)).text();
  } catch {
    return ''; // not listening yet
  }
};

/** `renderwatch-agent run` with these settings (no GPU, no collector); its /metrics URL. */
async function runAgent(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  agent = spawn(AGENT, ['run'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      AGENT_GPU_SOURCE: 'none',
      AGENT_HOSTNAME: 'gpu-7',
      AGENT_COLLECTOR_ADDRESS: '127.0.0.1:9',
      AGENT_COMFYUI_POLL_INTERVAL_MS: '200',
      AGENT_STATE_DIR: join(dir, 'state'),
      AGENT_METRICS_HOST: '127.0.0.1',
      AGENT_METRICS_PORT: String(port),
      AGENT_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return `http://127.0.0.1:${port}/metrics`;
}

describe(`${FAMILY} for the ComfyUI console stream`, () => {
  it('counts a backfilled binary line and a streamed non-UTF-8 line; readable lines and a non-JSON frame count nothing', async () => {
    // the console buffer /internal/logs/raw serves: a readable start and a NUL-filled binary write
    comfy = await startFakeComfyui({
      console: [
        { t: `${T}000001`, m: 'Starting server\n' },
        { t: `${T}000002`, m: '\u0000\u0000\u0000\u0000PK\u0003\u0004\u0014 binary\n' },
      ],
    });
    const url = await runAgent({ AGENT_COMFYUI_URLS: comfy.url });
    const first = await until(
      () => scrape(url),
      (b) => series(b).length > 0,
    );
    expect(series(first)).toEqual([`${FAMILY}{host="gpu-7",runtime="comfyui"} 1`]);

    // streamed while subscribed: bytes that were not UTF-8 (U+FFFD), a frame that is not JSON at
    // all (an API error, counted elsewhere, not a console line), readable lines
    await until(
      () => comfy?.subscriptions.some((s) => s.enabled === true) ?? false,
      (v) => v,
    );
    comfy.consoleWrite([
      { t: `${T}000003`, m: 'got prompt\n' },
      { t: `${T}000004`, m: 'caf\ufffd \ufffd\ufffd written in cp1252\n' },
    ]);
    comfy.broadcast('\u0000\u0001 not a frame');
    comfy.consoleWrite([{ t: `${T}000005`, m: 'Prompt executed in 2.50 seconds\n' }]);
    const second = await until(
      () => scrape(url),
      (b) => series(b).some((l) => l.endsWith(' 2')),
    );
    expect(series(second)).toEqual([`${FAMILY}{host="gpu-7",runtime="comfyui"} 2`]);
    const open = await (await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    expect(series(open)).toEqual(series(second));

    // ComfyUI is down for a while, then a new process (a new console feed): the count goes on from 2
    await comfy.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await comfy.restart({ console: [{ t: `${T}000006`, m: 'Starting server\n\u0000\u0000 NUL-filled tail of a crash\n' }] });
    const third = await until(
      () => scrape(url),
      (b) => series(b).some((l) => l.endsWith(' 3')),
    );
    expect(series(third)).toEqual([`${FAMILY}{host="gpu-7",runtime="comfyui"} 3`]);

    agent?.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => agent?.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 60_000);

  it('a ComfyUI whose log file is followed too (paired): its lines are counted once, by the log follower', async () => {
    const binary = '\u0000\u0000\u0000\u0000PK\u0003\u0004\u0014 binary\n';
    comfy = await startFakeComfyui({
      console: [
        { t: `${T}000001`, m: 'Starting server\n' },
        { t: `${T}000002`, m: binary },
      ],
    });
    const logPath = join(dir, 'comfyui.log');
    writeFileSync(logPath, `Starting server\n${binary}`);
    const url = await runAgent({ AGENT_COMFYUI_URLS: comfy.url, AGENT_RUNTIME_LOGS: `comfyui:${logPath}` });
    const first = await until(
      () => scrape(url),
      (b) => series(b).length > 0,
    );
    await until(
      () => comfy?.subscriptions.some((s) => s.enabled === true) ?? false,
      (v) => v,
    );
    const line = 'caf\ufffd written in cp1252\n';
    comfy.consoleWrite([{ t: `${T}000003`, m: line }]);
    appendFileSync(logPath, line);
    const second = await until(
      () => scrape(url),
      (b) => series(b).some((l) => l.endsWith(' 2')),
    );
    // one more scrape after the console frame surely arrived: still 2 (the console stream counts none)
    await new Promise((r) => setTimeout(r, 1000));
    expect([series(first), series(second), series(await scrape(url))]).toEqual([
      [`${FAMILY}{host="gpu-7",runtime="comfyui"} 1`],
      [`${FAMILY}{host="gpu-7",runtime="comfyui"} 2`],
      [`${FAMILY}{host="gpu-7",runtime="comfyui"} 2`],
    ]);
  }, 60_000);
});
