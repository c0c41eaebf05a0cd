// Starts followed to their first image with real fixture events (a download from the shared ROCm
// ComfyUI log, loads as the parsers emit them) and host samples worked out by hand: each label
// below flips when one piece of evidence is dropped or the decision is inverted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from '../runtime-logs/parser-session.js';
import { StartTracker, type TimedRuntimeEvent } from './start-tracker.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const T = Date.parse('2026-12-07T10:00:00Z');
const s = (sec: number): number => T + sec * 1000;
const MIB = 1024 ** 2;

function feed(tr: StartTracker, evs: [number, RuntimeEvent][]): RuntimeEvent[] {
  const out: TimedRuntimeEvent[] = [];
  for (const [sec, e] of evs) out.push(...tr.event(e, s(sec)));
  out.push(...tr.flush());
  return out.map((x) => x.event);
}
const only = <K extends RuntimeEvent['kind']>(evs: RuntimeEvent[], kind: K): Extract<RuntimeEvent, { kind: K }>[] =>
  evs.filter((e): e is Extract<RuntimeEvent, { kind: K }> => e.kind === kind);

// The download as the agent's log source parses it from the shared fixture (CogVideo2B, 40 s).
const download = parseLogText(readFileSync(join(FIX, 'comfyui/hip-oom-rocm-cogvideo-2024-09.log'), 'utf8'), 'comfyui', { downloads: true }).find(
  (e) => e.kind === 'model_download',
) as RuntimeEvent;
// ComfyUI's first BaseModel load (comfyui/dynamic-vram-two-jobs-2026.log: 1639 MB, freshly constructed → `disk`),
// with a duration: 1639 MiB in 0.8 s = 2.0 GiB/s, too fast for disk speed, too slow for page-cache speed.
const baseModel: RuntimeEvent = {
  kind: 'model_load',
  runtime: 'comfyui',
  model: 'BaseModel',
  source: 'disk',
  loaded_mb: 1639,
  mode: 'dynamic',
  duration_s: 0.8,
};
const start: RuntimeEvent = { kind: 'runtime_start', runtime: 'comfyui', version: '0.3.56' };
const ready: RuntimeEvent = { kind: 'runtime_ready', runtime: 'comfyui', url: 'http://127.0.0.1:8188' };

const job = (id: string): [number, RuntimeEvent][] => [
  [0, { kind: 'job_start', runtime: 'comfyui', job_id: id }],
  [0, { kind: 'job_end', runtime: 'comfyui', job_id: id, outcome: 'ok', images: 1 }],
];

// Host samples every 10 s; the load ends at 45 s after 0.8 s, inside the sample interval (40, 50].
function run(rates: { disk: number; net: number }, remote?: boolean): { ready: RuntimeEvent[]; first: RuntimeEvent[]; load: RuntimeEvent[] } {
  const tr = new StartTracker({ hostIntervalMs: 10_000, ...(remote === undefined ? {} : { remoteVolume: () => remote }) });
  const out: TimedRuntimeEvent[] = [];
  const host = (sec: number, disk: number, net: number): void => {
    out.push(...tr.hostSample({ ts_unix_ms: s(sec), disk_read_bytes_per_s: disk, net_rx_bytes_per_s: net }));
  };
  host(0, 1e6, 1e6);
  out.push(...tr.event(start, s(1)));
  host(10, 1e6, 1e6);
  out.push(...tr.event(ready, s(12)));
  host(20, 1e6, 1e6);
  host(30, 1e6, 1e6);
  host(40, 1e6, 1e6);
  out.push(...tr.event({ kind: 'job_start', runtime: 'comfyui', job_id: 'j' }, s(41)));
  out.push(...tr.event(baseModel, s(45)));
  out.push(...tr.event({ kind: 'job_end', runtime: 'comfyui', job_id: 'j', outcome: 'ok', images: 1 }, s(47)));
  // first_image waits for the host sample after it
  expect(out.filter((x) => x.event.kind === 'first_image')).toEqual([]);
  host(50, rates.disk, rates.net);
  const evs = out.map((x) => x.event);
  return { ready: only(evs, 'runtime_ready'), first: only(evs, 'first_image'), load: only(evs, 'model_load') };
}

describe('time to first image', () => {
  it('a start that downloaded its model: cold, TTFI split at ready, per-job queued → image', () => {
    expect(download).toEqual({ kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'CogVideo2B', duration_s: 40 });
    const out = feed(new StartTracker(), [
      [0, start],
      [30, download],
      [45, ready],
      [50, { kind: 'job_start', runtime: 'comfyui', job_id: 'p1', queue_wait_s: 5 }],
      [60, { kind: 'model_load', runtime: 'comfyui', model: 'BaseModel', source: 'disk', loaded_mb: 1639, duration_s: 2 }],
      [80, { kind: 'job_end', runtime: 'comfyui', job_id: 'p1', outcome: 'ok', images: 1 }],
      [95, { kind: 'job_start', runtime: 'comfyui', job_id: 'p2' }],
      [99, { kind: 'job_end', runtime: 'comfyui', job_id: 'p2', outcome: 'ok', images: 2 }],
    ]);
    expect(only(out, 'runtime_ready')).toEqual([{ ...ready, start_to_ready_s: 45, cold: 'cold', cold_rule: 'model_downloaded' }]);
    // start 0 s → ready 45 s → first image 80 s; job p1 queued at 50 − 5 = 45 s → 80 s
    expect(only(out, 'first_image')).toEqual([
      {
        kind: 'first_image',
        runtime: 'comfyui',
        job_id: 'p1',
        start_to_first_image_s: 80,
        start_to_ready_s: 45,
        ready_to_first_image_s: 35,
        queued_to_image_s: 35,
        cold: 'cold',
        cold_rule: 'model_downloaded',
      },
    ]);
    // p1's load read what the download fetched: cold; p2 loaded nothing after p1's load: warm
    expect(only(out, 'job_end').map((e) => [e.job_id, e.queued_to_image_s, e.cold, e.cold_rule])).toEqual([
      ['p1', 35, 'cold', 'model_downloaded'],
      ['p2', 4, 'warm', 'models_loaded_before'],
    ]);
    // the load's source is the decided one (the parser said `disk`)
    expect(only(out, 'model_load')[0]?.source).toBe('download');
  });

  it('without the download, the same load (1639 MiB in 2 s = 820 MiB/s < 1 GiB/s) is a disk load: cold by load_from_disk', () => {
    const out = feed(new StartTracker(), [
      [0, start],
      [45, ready],
      [50, { kind: 'job_start', runtime: 'comfyui', job_id: 'p1' }],
      [60, { kind: 'model_load', runtime: 'comfyui', model: 'BaseModel', source: 'disk', loaded_mb: 1639, duration_s: 2 }],
      [80, { kind: 'job_end', runtime: 'comfyui', job_id: 'p1', outcome: 'ok', images: 1 }],
    ]);
    expect(only(out, 'first_image')).toEqual([expect.objectContaining({ cold: 'cold', cold_rule: 'load_from_disk', queued_to_image_s: 30 })]);
  });

  it('a 0-byte download (hf_xet: every file was cached) is no download: the cached load decides warm', () => {
    const out = feed(new StartTracker(), [
      [0, start],
      [5, { kind: 'model_download', runtime: 'comfyui', source: 'hf', model: 'Wan', bytes: 0, duration_s: 0 }],
      [10, ready],
      [20, { kind: 'job_start', runtime: 'comfyui', job_id: 'c' }],
      [21, { kind: 'model_load', runtime: 'comfyui', model: 'Wan', source: 'cache', loaded_mb: 1639, duration_s: 0.3 }],
      [30, { kind: 'job_end', runtime: 'comfyui', job_id: 'c', outcome: 'ok', images: 1 }],
    ]);
    expect(only(out, 'first_image')).toEqual([expect.objectContaining({ cold: 'warm', cold_rule: 'all_loads_cached' })]);
    expect(only(out, 'model_load')[0]?.source).toBe('cache');
  });

  it('no first image before a job produced one; a log-only job that ended ok counts; images 0 does not', () => {
    const out = feed(new StartTracker(), [
      [0, start],
      [10, ready],
      [20, { kind: 'job_start', runtime: 'comfyui' }],
      [21, { kind: 'job_end', runtime: 'comfyui', outcome: 'ok', images: 0 }],
      [30, { kind: 'job_start', runtime: 'comfyui' }],
      [31, { kind: 'job_end', runtime: 'comfyui', outcome: 'error' }],
      [40, { kind: 'job_start', runtime: 'comfyui' }],
      [52.5, { kind: 'job_end', runtime: 'comfyui', outcome: 'ok', duration_s: 12.5 }],
    ]);
    expect(only(out, 'first_image')).toEqual([
      expect.objectContaining({
        start_to_first_image_s: 52.5,
        ready_to_first_image_s: 42.5,
        queued_to_image_s: 12.5,
        cold: 'unknown',
        cold_rule: 'no_load_seen',
      }),
    ]);
  });

  it('a runtime the agent did not see start: no TTFI, label unknown (start_not_seen)', () => {
    const out = feed(new StartTracker(), [
      [10, ready],
      [20, { kind: 'job_start', runtime: 'comfyui', job_id: 'a' }],
      [30, { kind: 'job_end', runtime: 'comfyui', job_id: 'a', outcome: 'ok', images: 1 }],
    ]);
    expect(only(out, 'first_image')).toEqual([]);
    expect(only(out, 'runtime_ready')[0]).toEqual({ ...ready, cold: 'unknown', cold_rule: 'start_not_seen' });
  });

  it('a restart begins a new start: its own first image', () => {
    const tr = new StartTracker();
    const evs: [number, RuntimeEvent][] = [[0, start], ...job('a').map(([, e]): [number, RuntimeEvent] => [5, e]), [100, start], [160, ready]];
    evs.push(...job('b').map(([, e]): [number, RuntimeEvent] => [190, e]));
    expect(only(feed(tr, evs), 'first_image').map((e) => [e.job_id, e.start_to_first_image_s, e.ready_to_first_image_s])).toEqual([
      ['a', 5, undefined],
      ['b', 90, 30],
    ]);
  });
});

describe('cold or warm from the host sampler', () => {
  it('disk reads during the load: 2.5 GB/s x 0.8 s = 2.0 GB >= half of 1639 MiB (859 MB) → disk → cold', () => {
    const r = run({ disk: 2.5e9, net: 1e6 });
    expect(r.first).toEqual([
      expect.objectContaining({ cold: 'cold', cold_rule: 'load_from_disk', start_to_first_image_s: 46, ready_to_first_image_s: 35, start_to_ready_s: 11 }),
    ]);
  });

  it('quiet disk and network: 50 MB/s x 0.8 s + 1 MB/s x 0.8 s = 40.8 MB < 859 MB → page cache → warm', () => {
    const r = run({ disk: 50e6, net: 1e6 });
    expect(r.first).toEqual([expect.objectContaining({ cold: 'warm', cold_rule: 'all_loads_cached' })]);
  });

  it('network receive during the load: 1.2 GB/s x 0.8 s = 960 MB >= 859 MB → network → cold', () => {
    expect(run({ disk: 0, net: 1.2e9 }).first).toEqual([expect.objectContaining({ cold: 'cold', cold_rule: 'load_from_network' })]);
  });

  it('the models volume on a network filesystem → network → cold even when the host looks quiet', () => {
    expect(run({ disk: 0, net: 0 }, true).first).toEqual([expect.objectContaining({ cold: 'cold', cold_rule: 'load_from_network' })]);
    expect(run({ disk: 0, net: 0 }, false).first).toEqual([expect.objectContaining({ cold: 'warm', cold_rule: 'all_loads_cached' })]);
  });

  it('no host sample after the load: evidence missing → unknown (not warm)', () => {
    const tr = new StartTracker({ hostIntervalMs: 10_000 });
    tr.hostSample({ ts_unix_ms: s(0), disk_read_bytes_per_s: 0, net_rx_bytes_per_s: 0 });
    const out = [
      ...tr.event(start, s(1)),
      ...tr.event(baseModel, s(45)),
      ...tr.event({ kind: 'job_end', runtime: 'comfyui', outcome: 'ok', images: 1 }, s(47)),
    ];
    expect(out.map((x) => x.event.kind)).toEqual(['runtime_start', 'model_load', 'job_end']);
    // 3 sample intervals later it goes out with what is known
    const late = tr.tick(s(47 + 30));
    expect(late.map((x) => x.event)).toEqual([expect.objectContaining({ kind: 'first_image', cold: 'unknown', cold_rule: 'load_source_unknown' })]);
  });

  it('ready labels only what was loaded before ready (here nothing: unknown)', () => {
    expect(run({ disk: 2.5e9, net: 0 }).ready).toEqual([{ ...ready, start_to_ready_s: 11, cold: 'unknown', cold_rule: 'no_load_seen' }]);
  });

  it('the model_load event carries the decided source', () => {
    // at 45 s the window (44.2, 45] is not covered yet: the parser's `disk` stays
    expect(run({ disk: 2.5e9, net: 0 }).load[0]).toEqual(baseModel);
    expect((1639 * MIB) / 2).toBe(859_308_032);
  });
});

describe('a load read from a network volume', () => {
  it('is labelled network by the path the parser read, and the path stays on the host', () => {
    const seen: (string | undefined)[] = [];
    const tr = new StartTracker({
      remoteVolume: (p) => {
        seen.push(p);
        return p?.startsWith('/mnt/nfs/') === true;
      },
    });
    const evs = feed(tr, [
      [0, { kind: 'runtime_start', runtime: 'a1111' }],
      [1, { kind: 'model_load', runtime: 'a1111', model: 'sdxl.safetensors', duration_s: 9.5, path: '/mnt/nfs/models/sdxl.safetensors' }],
      [2, { kind: 'model_load', runtime: 'a1111', model: 'vae.safetensors', duration_s: 0.4, path: '/srv/local/vae.safetensors' }],
    ]);
    expect(seen).toEqual(['/mnt/nfs/models/sdxl.safetensors', '/srv/local/vae.safetensors']);
    const loads = only(evs, 'model_load');
    expect(loads.map((l) => [l.model, l.source])).toEqual([
      ['sdxl.safetensors', 'network'],
      ['vae.safetensors', undefined],
    ]);
    for (const l of loads) expect('path' in l).toBe(false);
  });
});
