import type { RuntimeEvent } from '@renderwatch/schema';
import { RuntimeEventSchema } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import type { HistoryShape } from '../../test/support/comfyui-shapes.js';
import { SECRETS, historyEntry } from '../../test/support/comfyui-shapes.js';
import { countOutputs, HistoryEntrySchema, historyEvents, parseHistory } from './comfyui-history.js';
import { createSeenIds } from './seen-ids.js';

const T0 = 1_740_000_000_000;
const T0_ISO = '2025-02-19T21:20:00.000Z';

function eventsOf(shape: HistoryShape, failures = true): RuntimeEvent[] {
  const entry = HistoryEntrySchema.parse(historyEntry('p-1', shape, T0));
  return historyEvents('p-1', entry, { failures });
}

describe('historyEvents', () => {
  it('reports a successful prompt with its duration, images and node-cache counts', () => {
    expect(eventsOf('success')).toEqual([
      { kind: 'job_start', runtime: 'comfyui', ts: T0_ISO, job_id: 'p-1' },
      { kind: 'node_cache', runtime: 'comfyui', ts: '2025-02-19T21:20:00.002Z', cached_nodes: 0, executed_nodes: 7, job_id: 'p-1' },
      { kind: 'job_end', runtime: 'comfyui', ts: '2025-02-19T21:20:04.250Z', job_id: 'p-1', outcome: 'ok', duration_s: 4.25, images: 2 },
    ]);
  });

  it('counts zero images when every node, the SaveImage too, came from the node cache', () => {
    const evs = eventsOf('cached_rerun');
    expect(evs.find((e) => e.kind === 'node_cache')).toMatchObject({ cached_nodes: 7, executed_nodes: 7 });
    expect(evs.find((e) => e.kind === 'job_end')).toMatchObject({ outcome: 'ok', duration_s: 0.01, images: 0 });
  });

  it('leaves previews (type temp) out of the image count when part of the graph was cached', () => {
    const evs = eventsOf('partial_cache');
    expect(evs.find((e) => e.kind === 'node_cache')).toMatchObject({ cached_nodes: 4, executed_nodes: 7 });
    expect(evs.find((e) => e.kind === 'job_end')).toMatchObject({ outcome: 'ok', duration_s: 3.1, images: 1 });
  });

  it('turns an execution_error with torch.OutOfMemoryError into an oom event and an oom job end', () => {
    const evs = eventsOf('oom');
    expect(evs.map((e) => e.kind)).toEqual(['job_start', 'node_cache', 'oom', 'job_end']);
    expect(evs[2]).toMatchObject({ kind: 'oom', runtime: 'comfyui', cause: 'unknown', ts: '2025-02-19T21:20:01.500Z' });
    expect(evs[3]).toEqual({ kind: 'job_end', runtime: 'comfyui', ts: '2025-02-19T21:20:01.500Z', job_id: 'p-1', outcome: 'oom', duration_s: 1.5, images: 0 });
  });

  it('leaves the failure event to the console stream when it is live, keeping the outcome', () => {
    const evs = eventsOf('oom', false);
    expect(evs.map((e) => e.kind)).toEqual(['job_start', 'node_cache', 'job_end']);
    expect(evs[2]).toMatchObject({ outcome: 'oom' });
  });

  it('reports a non-OOM error by exception type with the prompt text redacted', () => {
    const evs = eventsOf('error');
    expect(evs[2]).toEqual({
      kind: 'error',
      runtime: 'comfyui',
      ts: '2025-02-19T21:20:00.200Z',
      error_type: 'ValueError',
      // the template leaves the host; the redacted line only with AGENT_ERROR_MESSAGES=raw (docs/privacy.md)
      message: 'Error while tokenizing <str>',
      message_fingerprint: '866f2e7bb703cb8f',
      message_raw: "Error while tokenizing '<redacted>'",
    });
    expect(evs[3]).toMatchObject({ kind: 'job_end', outcome: 'error', duration_s: 0.2 });
  });

  it('reports an interrupted prompt as interrupted after 0.75 s', () => {
    expect(eventsOf('interrupted').at(-1)).toEqual({
      kind: 'job_end',
      runtime: 'comfyui',
      ts: '2025-02-19T21:20:00.750Z',
      job_id: 'p-1',
      outcome: 'interrupted',
      duration_s: 0.75,
      images: 0,
    });
  });

  it('reports a 2023 entry without status as a job end with its image count and no invented outcome', () => {
    expect(eventsOf('legacy_2023')).toEqual([{ kind: 'job_end', runtime: 'comfyui', job_id: 'p-1', images: 1 }]);
  });

  it('emits only valid contract events and never a planted prompt string', () => {
    const shapes: HistoryShape[] = ['success', 'cached_rerun', 'partial_cache', 'oom', 'error', 'interrupted', 'legacy_2023'];
    const all = shapes.flatMap((s) => eventsOf(s));
    for (const e of all) expect(RuntimeEventSchema.safeParse(e).success).toBe(true);
    const text = JSON.stringify(all);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});

describe('parseHistory', () => {
  it('keeps good entries and counts an entry of an unknown shape', () => {
    const r = parseHistory({ a: historyEntry('a', 'success'), b: { outputs: 'not an object' }, c: historyEntry('c', 'legacy_2023') });
    expect(r.entries.map((e) => e.id)).toEqual(['a', 'c']);
    expect(r.malformed).toBe(1);
  });
});

describe('countOutputs', () => {
  it('counts files under media keys, not text, audio or flags', () => {
    const outputs = {
      '9': {
        images: [
          { filename: 'a.png', type: 'output' },
          { filename: 'b.png', type: 'output' },
        ],
        animated: [true],
      },
      '12': { gifs: [{ filename: 'v.mp4', type: 'output', format: 'video/h264-mp4' }] },
      '13': { text: ['a caption'], audio: [{ filename: 'x.flac', type: 'output' }] },
    };
    expect(countOutputs(outputs, new Set())).toBe(3);
    expect(countOutputs(outputs, new Set(['9']))).toBe(1);
  });
});

describe('createSeenIds', () => {
  it('forgets the oldest ids beyond its capacity', () => {
    const s = createSeenIds(3, ['a', 'b']);
    s.add('c');
    s.add('d');
    expect(s.values()).toEqual(['b', 'c', 'd']);
    expect(s.has('a')).toBe(false);
    expect(s.size).toBe(3);
  });
});
