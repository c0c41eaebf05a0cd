// The fake ComfyUI and the payload builders against what a real ComfyUI 0.8.0 sent
// (agent/test/fixtures/comfyui-real, SOURCES.md there): same keys in history entries, queue items
// and websocket frames; and the adapter's parsers read the real answers as they read the fake's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { historyEvents, parseHistory } from '../../src/runtime-api/comfyui-history.js';
import { QueueSchema, queueSnapshot } from '../../src/runtime-api/comfyui-queue.js';
import { historyEntry, queueItem, type HistoryShape } from './comfyui-shapes.js';
import { startFakeComfyui, type FakeComfyui } from './fake-comfyui.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'comfyui-real');
const real = <T>(name: string): T => JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
type Entry = { prompt: unknown[]; status: { messages: [string, Record<string, unknown>][] } } & Record<string, unknown>;
const shapes = real<Record<string, { top_level_keys: string[]; data_keys: string[] }>>('ws-message-shapes.json');
const keys = (o: object): string[] => Object.keys(o).sort();

const fakes: FakeComfyui[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
});

describe('the fake ComfyUI speaks like the real one', () => {
  it('builds history entries with the real keys and message data keys', () => {
    const realEntries = Object.values(real<Record<string, Entry>>('history-three-jobs.json'));
    for (const e of realEntries) expect(keys(e)).toEqual(['meta', 'outputs', 'prompt', 'status']);
    for (const shape of ['success', 'cached_rerun', 'partial_cache', 'oom', 'error', 'interrupted'] as HistoryShape[]) {
      const e = historyEntry('p-1', shape) as Entry;
      expect(keys(e)).toEqual(['meta', 'outputs', 'prompt', 'status']);
      expect(e.prompt).toHaveLength(5);
      for (const [type, data] of e.status.messages) if (type in shapes) expect(keys(data)).toEqual([...(shapes[type]?.data_keys ?? [])].sort());
    }
  });

  it('builds queue items with the real layout', () => {
    const r = real<{ queue_running: unknown[][] }>('queue-one-running.json');
    expect(r.queue_running[0]).toHaveLength(5);
    expect(queueItem(1, 'p-1', 1)).toHaveLength(5);
    expect(keys(r.queue_running[0]?.[3] as object)).toEqual(['client_id', 'create_time']);
    expect(queueSnapshot(QueueSchema.parse(r), 0)).toEqual({ running: 1, pending: 0 });
  });

  it('sends logs and status frames with the real keys (logs size null, raw size 80x24)', async () => {
    const f = await startFakeComfyui();
    fakes.push(f);
    const ws = new WebSocket(`ws://127.0.0.1:${f.port}/ws?clientId=t`);
    const frames: { type: string; data: Record<string, unknown> }[] = [];
    ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8')) as (typeof frames)[number]));
    await new Promise((r) => ws.once('open', r));
    await fetch(`${f.url}/internal/logs/subscribe`, { method: 'PATCH', body: JSON.stringify({ clientId: 't', enabled: true }) });
    f.consoleWrite([{ t: '2026-12-07T11:42:33.688272', m: 'got prompt\n' }]);
    f.finishPrompt('p-1', historyEntry('p-1', 'success'));
    for (let i = 0; i < 100 && frames.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const realLogs = real<{ type: string; data: Record<string, unknown> }[]>('ws-logs-frames.json')[0];
    const logs = frames.find((x) => x.type === 'logs');
    expect(keys(logs?.data ?? {})).toEqual(keys(realLogs?.data ?? {}));
    expect(realLogs?.data['size']).toBeNull();
    expect(logs?.data['size']).toBeNull();
    expect(frames.filter((x) => x.type === 'status').map((x) => keys(x.data))).toEqual([['sid', 'status'], ['status']]);
    const raw = (await (await fetch(`${f.url}/internal/logs/raw`)).json()) as { size: unknown };
    expect(raw.size).toEqual(real('logs-raw-size.json'));
  });
});

describe('the adapter reads the real history', () => {
  it('gives an image, a fully cached re-run and a run-time error', () => {
    const parsed = parseHistory(real('history-three-jobs.json'));
    expect(parsed.malformed).toBe(0);
    const events = parsed.entries.flatMap(({ id, entry }) => historyEvents(id, entry, { failures: true }));
    expect(events.filter((e) => e.kind === 'job_end').map((e) => (e.kind === 'job_end' ? [e.outcome, e.images] : []))).toEqual([
      ['ok', 1],
      ['ok', 0],
      ['error', 0],
    ]);
    expect(events.filter((e) => e.kind === 'node_cache').map((e) => (e.kind === 'node_cache' ? [e.cached_nodes, e.executed_nodes] : []))).toEqual([
      [0, 2],
      [2, 2],
      [0, 2],
    ]);
    expect(events.find((e) => e.kind === 'error')).toMatchObject({ error_type: 'PIL.UnidentifiedImageError' });
  });
});
