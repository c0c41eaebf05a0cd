// The real adapter against a fake ComfyUI on a real socket (127.0.0.1:0): HTTP polling, the /ws
// console stream, restarts, broken answers. No real ComfyUI was available; the fake serves the
// payload shapes recorded in the research notes (test/support/comfyui-shapes.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeEventOf } from '@renderwatch/schema';
import { RuntimeEventSchema } from '@renderwatch/schema';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { workflowFingerprint } from '../campaigns/fingerprint.js';
import { graph, historyEntry, printWrites, queueItem, SECRET_POSITIVE, SECRETS, systemStats } from '../../test/support/comfyui-shapes.js';
import type { FakeComfyui } from '../../test/support/fake-comfyui.js';
import { startFakeComfyui } from '../../test/support/fake-comfyui.js';
import { parseLogText } from '../runtime-logs/parser-session.js';
import { HISTORY_OWNED_KINDS } from './comfyui-console.js';
import type { ComfyuiApiSource, ComfyuiApiSourceOptions } from './comfyui-api-source.js';
import { createComfyuiApiSource } from './comfyui-api-source.js';
import { buildComfyuiApiSources } from './comfyui-api-sources.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'runtime-logs', 'comfyui');
const fixtureLines = (name: string): string[] => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '').split('\n');
const STARTUP = [...fixtureLines('startup-0.3.33-win-4090-native-allocator.log'), 'Starting server', '', 'To see the GUI go to: http://127.0.0.1:8188'];
const JOBS = [
  ...fixtureLines('dynamic-vram-two-jobs-2026.log'),
  `[Prompt Logger] positive: ${SECRET_POSITIVE}`,
  'got prompt',
  '!!! Exception during processing !!! Error while tokenizing',
  'Traceback (most recent call last):',
  '  File "/srv/ComfyUI/execution.py", line 496, in execute',
  `ValueError: Error while tokenizing '${SECRET_POSITIVE}'`,
  'Prompt executed in 0.20 seconds',
];

const fakes: FakeComfyui[] = [];
const sources: ComfyuiApiSource[] = [];
const dirs: string[] = [];
const everything: RuntimeEvent[] = [];

afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  for (const f of fakes.splice(0)) await f.stop();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Harness {
  fake: FakeComfyui;
  source: ComfyuiApiSource;
  events: RuntimeEvent[];
  warnings: { obj: object; msg: string }[];
  stateDir: string;
}

async function harness(server: FakeComfyui, over: Partial<ComfyuiApiSourceOptions> = {}, stateDir?: string): Promise<Harness> {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'rw-comfy-api-'));
  if (stateDir === undefined) dirs.push(dir);
  const events: RuntimeEvent[] = [];
  const warnings: { obj: object; msg: string }[] = [];
  const source = createComfyuiApiSource({
    url: server.url,
    log: { warn: (obj, msg) => warnings.push({ obj, msg }), info: () => undefined },
    onEvent: (e) => {
      events.push(e);
      everything.push(e);
    },
    stateDir: dir,
    pollMs: 40,
    timeoutMs: 2000,
    reconnectMaxMs: 150,
    reconnectMinMs: 20,
    ...over,
  });
  sources.push(source);
  return { fake: server, source, events, warnings, stateDir: dir };
}

async function fake(init: Parameters<typeof startFakeComfyui>[0] = {}): Promise<FakeComfyui> {
  const f = await startFakeComfyui(init);
  fakes.push(f);
  return f;
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** The default workflow's fingerprint; both prompts come from one client within the window: one campaign. */
const FP = workflowFingerprint(graph());
const CAMPAIGN_TAGS = { campaign_id: 'c-5dd4bc6437c2882b', workflow_fingerprint: FP, job_key: expect.stringMatching(/^[0-9a-f]{16}$/) };

const jobEnds = (evs: readonly RuntimeEvent[]): RuntimeEventOf<'job_end'>[] => evs.filter((e): e is RuntimeEventOf<'job_end'> => e.kind === 'job_end');
const withoutTs = (evs: readonly RuntimeEvent[]): object[] => evs.map(({ ts: _ts, ...rest }) => rest);

describe('createComfyuiApiSource against a fake ComfyUI', () => {
  it('reports each finished prompt exactly once across polls and agent restarts, and the queue depth', async () => {
    const t0 = 1_740_000_000_000;
    const f = await fake({
      history: new Map([
        ['p-1', historyEntry('p-1', 'success', t0)],
        ['p-2', historyEntry('p-2', 'oom', t0 + 10_000)],
      ]),
      queueRunning: [queueItem(3, 'p-3', Date.now() - 5_000)],
      queuePending: [queueItem(4, 'p-4', Date.now() - 42_000), queueItem(5, 'p-5', Date.now() - 1_000)],
    });
    const h = await harness(f);
    await h.source.pollOnce();
    await h.source.pollOnce();
    expect(jobEnds(h.events)).toEqual([
      { kind: 'job_end', runtime: 'comfyui', ts: '2025-02-19T21:20:04.250Z', job_id: 'p-1', outcome: 'ok', duration_s: 4.25, images: 2, ...CAMPAIGN_TAGS },
      { kind: 'job_end', runtime: 'comfyui', ts: '2025-02-19T21:20:11.500Z', job_id: 'p-2', outcome: 'oom', duration_s: 1.5, images: 0, ...CAMPAIGN_TAGS },
    ]);
    expect(h.events.filter((e) => e.kind === 'node_cache')).toEqual([
      { kind: 'node_cache', runtime: 'comfyui', ts: '2025-02-19T21:20:00.002Z', cached_nodes: 0, executed_nodes: 7, job_id: 'p-1', workflow_fingerprint: FP },
      { kind: 'node_cache', runtime: 'comfyui', ts: '2025-02-19T21:20:10.002Z', cached_nodes: 3, executed_nodes: 7, job_id: 'p-2', workflow_fingerprint: FP },
    ]);
    // the console stream is live, so the OOM itself is left to the console parser
    expect(h.events.filter((e) => e.kind === 'oom')).toEqual([]);
    const queue = h.events.filter((e) => e.kind === 'queue');
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ pending: 2, running: 1 });
    expect((queue[0] as { oldest_wait_s: number }).oldest_wait_s).toBeGreaterThanOrEqual(42);
    expect((queue[0] as { oldest_wait_s: number }).oldest_wait_s).toBeLessThan(50);
    expect(f.requests).toContain('GET /history?max_items=200');

    f.finishPrompt('p-3', historyEntry('p-3', 'partial_cache', t0 + 20_000));
    f.state.queueRunning = [];
    await h.source.pollOnce();
    await h.source.pollOnce();
    expect(jobEnds(h.events).map((e) => [e.job_id, e.images])).toEqual([
      ['p-1', 2],
      ['p-2', 0],
      ['p-3', 1],
    ]);
    expect(h.events.filter((e): e is RuntimeEventOf<'queue'> => e.kind === 'queue').map((e) => [e.pending, e.running])).toEqual([
      [2, 1],
      [2, 0],
    ]);
    await h.source.stop();

    // the agent restarts: same state dir, the history still holds p-1..p-3
    f.finishPrompt('p-4', historyEntry('p-4', 'interrupted', t0 + 30_000));
    const again = await harness(f, {}, h.stateDir);
    await again.source.pollOnce();
    expect(jobEnds(again.events)).toEqual([
      {
        kind: 'job_end',
        runtime: 'comfyui',
        ts: '2025-02-19T21:20:30.750Z',
        job_id: 'p-4',
        outcome: 'interrupted',
        duration_s: 0.75,
        images: 0,
        ...CAMPAIGN_TAGS,
      },
    ]);
  });

  it('feeds the console stream (backfill, then logs frames) through the ComfyUI log parser', async () => {
    const t0 = Date.UTC(2025, 4, 8, 18, 51, 5, 85);
    const f = await fake({ console: printWrites(STARTUP, t0) });
    const h = await harness(f);
    await h.source.pollOnce();
    expect(f.subscriptions).toHaveLength(1);
    expect(f.subscriptions[0]?.enabled).toBe(true);
    expect(f.subscriptions[0]?.clientId).toMatch(/^renderwatch-agent-[0-9a-f-]{36}$/);
    expect(f.socketClients()).toEqual([f.subscriptions[0]?.clientId]);
    expect(h.source.stats()).toMatchObject({ up: true, console: true, restarts: 0 });

    const writes = printWrites(JOBS, t0 + 60_000);
    f.consoleWrite(writes.slice(0, 7)); // a frame ending mid-line
    f.consoleWrite(writes.slice(7));
    await waitFor('the jobs console lines', () => h.events.some((e) => e.kind === 'model_load' && e.model === 'AutoencoderKL'));
    await h.source.pollOnce(); // console quiet since: held records go out on the next idle poll
    await h.source.pollOnce();
    const expected = parseLogText([...STARTUP, ...JOBS].join('\n'), 'comfyui').filter((e) => !HISTORY_OWNED_KINDS.has(e.kind));
    const got = h.events.filter((e) => !['queue'].includes(e.kind));
    expect(withoutTs(got)).toEqual(withoutTs(expected));
    expect(got.map((e) => e.kind)).toEqual(['runtime_start', 'runtime_ready', 'model_load', 'model_load', 'progress', 'model_load', 'model_load', 'error']);
    expect(got[0]).toMatchObject({ version: '0.3.33', ts: '2025-05-08T18:51:05.085' });
    // the `!!! Exception` line is write pair 24 of JOBS (22 fixture lines, the logger line, got prompt): t0 + 60 s + 24 ms
    expect(got.at(-1)).toEqual({
      kind: 'error',
      runtime: 'comfyui',
      ts: '2025-05-08T18:52:05.109000',
      error_type: 'ValueError',
      // the message's template (runtime-logs/message-template.ts) and its redacted text
      message: 'Error while tokenizing <str>',
      message_raw: "Error while tokenizing '<redacted>'",
      message_fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(h.events)).not.toContain('zqxv-secret');

    // the agent restarts while ComfyUI keeps running: the backfill holds nothing new
    await h.source.stop();
    const again = await harness(f, {}, h.stateDir);
    await again.source.pollOnce();
    await again.source.pollOnce();
    expect(again.events.filter((e) => e.kind !== 'queue')).toEqual([]);
    f.consoleWrite(printWrites(['Requested to load SDXL', 'loaded completely; 9000.00 MB usable, 4897.05 MB loaded, full load: True'], t0 + 120_000));
    for (let i = 0; i < 100 && !again.events.some((e) => e.kind === 'model_load'); i++) await again.source.pollOnce(); // idle polls flush the held record
    expect(again.events.filter((e) => e.kind === 'model_load')).toEqual([
      { kind: 'model_load', runtime: 'comfyui', ts: '2025-05-08T18:53:05.086000', model: 'SDXL', loaded_mb: 4897.05, mode: 'full' },
    ]);
  });

  it('reconnects after ComfyUI restarts and reports the start from the new console', async () => {
    const f = await fake({ console: printWrites(STARTUP, Date.UTC(2025, 4, 8, 18, 51, 5, 85)) });
    const h = await harness(f);
    h.source.start();
    await waitFor('first contact', () => h.source.stats().console);
    expect(h.events.filter((e) => e.kind === 'runtime_start')).toHaveLength(1);
    await f.stop();
    await waitFor('the adapter to see ComfyUI down', () => !h.source.stats().up);
    const newStart = STARTUP.map((l) =>
      l.replace('ComfyUI version: 0.3.33', 'ComfyUI version: 0.3.34').replace('startup time: 2025-05-08 18:51:05.085', 'startup time: 2025-05-09 09:00:00.000'),
    );
    await f.restart({ systemStats: systemStats({ comfyui_version: '0.3.34' }), console: printWrites(newStart, Date.UTC(2025, 4, 9, 9, 0, 0, 0)) });
    await waitFor('the restart', () => h.events.filter((e) => e.kind === 'runtime_ready').length === 2);
    await waitFor('the re-subscription', () => f.subscriptions.length >= 2);
    const starts = h.events.filter((e) => e.kind === 'runtime_start');
    expect(starts).toHaveLength(2);
    expect(starts[1]).toMatchObject({ version: '0.3.34', ts: '2025-05-09T09:00:00.000' });
    expect(h.source.stats()).toMatchObject({ up: true, console: true, restarts: 1 });
    expect(h.warnings.map((w) => w.msg)).toContain('comfyui unreachable; retrying with backoff');
  });

  it('reports a restart itself when ComfyUI has no console stream (before 2024-08-30)', async () => {
    const f = await fake({ logsApi: false });
    const h = await harness(f);
    h.source.start();
    await waitFor('first contact', () => h.source.stats().up);
    await f.stop();
    await waitFor('down', () => !h.source.stats().up);
    const before = Date.now();
    await f.restart({ logsApi: false, systemStats: systemStats({ comfyui_version: '0.3.34' }) });
    await waitFor('the restart', () => h.events.some((e) => e.kind === 'runtime_ready'));
    const [start, ready] = h.events.filter((e) => e.kind === 'runtime_start' || e.kind === 'runtime_ready');
    expect(start).toMatchObject({ kind: 'runtime_start', runtime: 'comfyui', version: '0.3.34' });
    expect(ready).toEqual({ kind: 'runtime_ready', runtime: 'comfyui', ts: expect.any(String), url: f.url });
    // start = the last failed probe, ready = the first answer: in order, within one backoff step
    const startMs = Date.parse(start?.ts ?? '');
    const readyMs = Date.parse(ready?.ts ?? '');
    expect(startMs).toBeLessThanOrEqual(readyMs);
    expect(readyMs).toBeGreaterThanOrEqual(before);
    expect(readyMs - startMs).toBeLessThan(1000);
    expect(h.source.stats()).toMatchObject({ console: false, restarts: 1 });
    // without the console, history reports failures itself
    f.finishPrompt('p-9', historyEntry('p-9', 'oom'));
    await waitFor('the oom prompt', () => h.events.some((e) => e.kind === 'job_end' && e.job_id === 'p-9'));
    expect(h.events.filter((e) => e.kind === 'oom')).toHaveLength(1);
  });

  it('paired with the log file, reports neither a start of its own nor failures: the log does (sources/comfyui-pairing.ts)', async () => {
    const f = await fake({ logsApi: false });
    const h = await harness(f, { consoleFromLog: true });
    h.source.start();
    await waitFor('first contact', () => h.source.stats().up);
    await f.stop();
    await waitFor('down', () => !h.source.stats().up);
    await f.restart({ logsApi: false, systemStats: systemStats({ comfyui_version: '0.3.34' }) });
    await waitFor('back up', () => h.source.stats().up && h.source.stats().restarts === 1);
    f.finishPrompt('p-9', historyEntry('p-9', 'oom'));
    await waitFor('the oom prompt', () => h.events.some((e) => e.kind === 'job_end' && e.job_id === 'p-9'));
    expect(h.events.filter((e) => e.kind === 'runtime_start' || e.kind === 'runtime_ready')).toEqual([]);
    // the job and its outcome from /history; the OOM event with its cause from the log
    expect(jobEnds(h.events).map((e) => [e.job_id, e.outcome])).toEqual([['p-9', 'oom']]);
    expect(h.events.filter((e) => e.kind === 'oom' || e.kind === 'error')).toEqual([]);
  });

  it('counts malformed answers, logs each endpoint once and keeps polling', async () => {
    const f = await fake({ history: new Map([['p-1', historyEntry('p-1', 'success')]]) });
    f.state.malformed.set('/history', '{"p-1": {"outputs": ');
    f.state.malformed.set('/queue', '<html>Bad Gateway</html>');
    const h = await harness(f);
    await h.source.pollOnce();
    await h.source.pollOnce();
    await h.source.pollOnce();
    f.broadcast('{"type": "status", "data": {"status": '); // a broken frame
    f.broadcast('not json at all');
    await waitFor('the ws frames counted', () => (h.source.stats().errors['bad_json'] ?? 0) >= 8);
    expect(h.source.stats().errors).toEqual({ bad_json: 8 });
    expect(h.warnings.map((w) => [(w.obj as { endpoint: string }).endpoint, w.msg])).toEqual([
      ['/queue', 'unexpected comfyui api response'],
      ['/history', 'unexpected comfyui api response'],
      ['/ws', 'unexpected comfyui api response'],
    ]);
    expect(jobEnds(h.events)).toEqual([]);

    f.state.malformed.set('/system_stats', JSON.stringify({ system: 'x', devices: [] }));
    f.state.malformed.delete('/history');
    await h.source.pollOnce();
    expect(h.source.stats()).toMatchObject({ up: true, errors: { bad_json: 9, bad_shape: 1 } });
    expect(jobEnds(h.events).map((e) => e.job_id)).toEqual(['p-1']);
  });

  it('delivers events to the agent through the event source built from the config', async () => {
    const f = await fake({ history: new Map([['p-1', historyEntry('p-1', 'success')]]) });
    const dir = mkdtempSync(join(tmpdir(), 'rw-comfy-api-'));
    dirs.push(dir);
    const [source] = buildComfyuiApiSources(
      {
        AGENT_COMFYUI_URLS: [f.url],
        AGENT_COMFYUI_POLL_INTERVAL_MS: 50,
        AGENT_COMFYUI_TIMEOUT_MS: 2000,
        AGENT_COMFYUI_RECONNECT_MAX_MS: 200,
        AGENT_STATE_DIR: dir,
      },
      pino({ level: 'silent' }),
      undefined,
      () => 1_750_000_000_000,
    );
    const got: [RuntimeEvent, number][] = [];
    await source?.start((e, at) => got.push([e, at]));
    await waitFor('the job', () => got.some(([e]) => e.kind === 'job_end'));
    await source?.stop();
    expect(got.find(([e]) => e.kind === 'job_end')).toEqual([
      { kind: 'job_end', runtime: 'comfyui', ts: '2025-02-19T21:20:04.250Z', job_id: 'p-1', outcome: 'ok', duration_s: 4.25, images: 2, ...CAMPAIGN_TAGS },
      1_750_000_000_000,
    ]);
    expect(existsSync(join(dir, 'runtime-api'))).toBe(true);
    everything.push(...got.map(([e]) => e));
  });

  it('never emits a prompt string, and every event fits the contract', () => {
    expect(everything.length).toBeGreaterThan(20);
    for (const e of everything) expect(RuntimeEventSchema.safeParse(e).success).toBe(true);
    const text = JSON.stringify(everything);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});
