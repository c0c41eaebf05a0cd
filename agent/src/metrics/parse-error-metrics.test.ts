// renderwatch_model_download_parse_errors_total: the download lines with impossible values the
// daemon's log followers skipped, on its /metrics (Prometheus text and OpenMetrics), by runtime.
// Through the real wiring: `renderwatch-agent run` (commands/run.ts) builds the log sources
// (sources/log-sources.ts), hands them to the telemetry sinks, and /metrics reads their counts.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentMetrics } from './agent-metrics.js';
import { freePort } from '../../test/support/free-port.js';

const AGENT = join(import.meta.dirname, '../../bin/renderwatch-agent');
const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs/downloads');
const fixture = (name: string): string => readFileSync(join(FIX, name), 'utf8');
const FAMILY = 'renderwatch_model_download_parse_errors_total';
const series = (text: string): string[] => text.split('\n').filter((l) => l.startsWith(FAMILY));

let dir: string;
let agent: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-dlpe-'));
});
afterEach(() => {
  agent?.kill('SIGKILL');
  agent = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Scrapes until `want` holds (the followers poll every 500 ms); the last body otherwise. */
async function scrapeUntil(url: string, headers: Record<string, string>, want: (body: string) => boolean): Promise<string> {
  let body = '';
  for (let i = 0; i < 150; i++) {
    try {
      body = await (await fetch(url, { headers })).text();
      if (want(body)) return body;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return body;
}

describe(FAMILY, () => {
  it("counts the daemon's log followers' refused download lines by runtime; good downloads and other lines count nothing", async () => {
    // ComfyUI's log: a good wget download, the edited one with a 99999999999999999999-byte save
    // twice (2 refused), another good one. Forge's: the edited tqdm bar (1 refused, as
    // model-download.test.ts counts it) and a good hf bar log. A second ComfyUI log has no download.
    const comfy = join(dir, 'comfyui.log');
    writeFileSync(comfy, fixture('wget-1.21.3-bar-local-url.log') + fixture('wget-absurd-size-edited.log') + fixture('wget-absurd-size-edited.log'));
    appendFileSync(comfy, fixture('wget-1.21.3-dot-local-url.log'));
    const forge = join(dir, 'forge.log');
    writeFileSync(forge, fixture('tqdm-absurd-size-edited.log') + fixture('tqdm-4.64.1-hf-hub-byte-bars.log'));
    const quiet = join(dir, 'comfyui-2.log');
    writeFileSync(quiet, 'got prompt\nPrompt executed in 1.50 seconds\n');
    const port = await freePort();
    agent = spawn(AGENT, ['run'], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        AGENT_GPU_SOURCE: 'none',
        AGENT_HOSTNAME: 'gpu-7',
        AGENT_COLLECTOR_ADDRESS: '127.0.0.1:9',
        AGENT_RUNTIME_LOGS: `comfyui:${comfy},forge:${forge},comfyui:${quiet}`,
        AGENT_STATE_DIR: join(dir, 'state'),
        AGENT_METRICS_HOST: '127.0.0.1',
        AGENT_METRICS_PORT: String(port),
        AGENT_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}/metrics`;
    const text = await scrapeUntil(url, {}, (b) => series(b).length === 2);
    expect(text).toContain(`# TYPE ${FAMILY} counter`);
    expect(series(text)).toEqual([`${FAMILY}{host="gpu-7",runtime="comfyui"} 2`, `${FAMILY}{host="gpu-7",runtime="forge"} 1`]);

    // One more refused line in the ComfyUI log: the total follows it; a later scrape reads the
    // same totals, not added again; OpenMetrics serves the same samples.
    appendFileSync(comfy, fixture('wget-absurd-size-edited.log'));
    const more = await scrapeUntil(url, {}, (b) => series(b).includes(`${FAMILY}{host="gpu-7",runtime="comfyui"} 3`));
    expect(series(more)).toEqual([`${FAMILY}{host="gpu-7",runtime="comfyui"} 3`, `${FAMILY}{host="gpu-7",runtime="forge"} 1`]);
    const open = await (await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
    expect(open).toContain('# TYPE renderwatch_model_download_parse_errors counter\n');
    expect(series(open)).toEqual(series(more));

    // A line that is not text (invalid UTF-8) in the Forge log: skipped, counted as unreadable, not as a refused download line.
    appendFileSync(forge, Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' garbage\n')]));
    const unreadable = 'renderwatch_runtime_log_unreadable_lines_total';
    const bad = await scrapeUntil(url, {}, (b) => b.includes(`${unreadable}{`));
    expect(bad.split('\n').filter((l) => l.startsWith(`${unreadable}{`))).toEqual([`${unreadable}{host="gpu-7",runtime="forge"} 1`]);
    expect(series(bad)).toEqual(series(more));

    agent.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => agent?.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 60_000);

  it('adds the logs of one runtime, puts unknown runtimes under other, and has no series before the first refused line', async () => {
    const counts = { a: 0, b: 0, c: 0 };
    const m = createAgentMetrics({
      host: 'h',
      processMetrics: false,
      logSources: [
        { runtime: 'comfyui', parseErrors: () => counts.a },
        { runtime: 'comfyui', parseErrors: () => counts.b },
        { runtime: 'not-a-runtime', parseErrors: () => counts.c },
      ],
    });
    expect(series(await m.text(false))).toEqual([]);
    counts.a = 2;
    counts.b = 3;
    counts.c = 1;
    expect(series(await m.text(false))).toEqual([`${FAMILY}{host="h",runtime="comfyui"} 5`, `${FAMILY}{host="h",runtime="other"} 1`]);
  });

  it('counts unreadable lines apart from refused ones, by runtime, from the first one', async () => {
    const counts = { a: 0, b: 0 };
    const m = createAgentMetrics({
      host: 'h',
      processMetrics: false,
      logSources: [
        { runtime: 'forge', parseErrors: () => 0, unreadableLines: () => counts.a },
        { runtime: 'forge', parseErrors: () => 0, unreadableLines: () => counts.b },
        { runtime: 'comfyui', parseErrors: () => 4 },
      ],
    });
    const lines = async (): Promise<string[]> =>
      (await m.text(false)).split('\n').filter((l) => l.startsWith('renderwatch_runtime_log_unreadable_lines_total{'));
    expect(await lines()).toEqual([]);
    counts.a = 2;
    counts.b = 5;
    expect(await lines()).toEqual(['renderwatch_runtime_log_unreadable_lines_total{host="h",runtime="forge"} 7']);
    expect(series(await m.text(false))).toEqual([`${FAMILY}{host="h",runtime="comfyui"} 4`]);
  });
});
