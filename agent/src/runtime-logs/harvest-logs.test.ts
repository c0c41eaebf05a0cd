// The December 2026 harvest of real runtime logs (public issue threads; each fixture's row in its
// runtime's SOURCES.md): every excerpt's hand-checked events (test/support/runtime-log-harvest.ts),
// then one test per defect those excerpts showed, on the real lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeEventSchema } from '@renderwatch/schema';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { HARVEST } from '../../test/support/runtime-log-harvest.js';
import { classifyOom } from './oom-cause.js';
import { parseLogText } from './parser-session.js';
import { assembleRecords } from './record-assembler.js';
import { parseOom } from './torch-oom.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const text = (rt: RuntimeName, f: string): string => readFileSync(join(ROOT, rt, f), 'utf8');
const parse = (rt: RuntimeName, f: string): RuntimeEvent[] => parseLogText(text(rt, f), rt);
const ofKind = <K extends RuntimeEvent['kind']>(evs: RuntimeEvent[], k: K): Extract<RuntimeEvent, { kind: K }>[] =>
  evs.filter((e): e is Extract<RuntimeEvent, { kind: K }> => e.kind === k);

for (const [runtime, rows] of Object.entries(HARVEST) as [RuntimeName, NonNullable<(typeof HARVEST)[RuntimeName]>][]) {
  describe(`${runtime}: harvested excerpts`, () => {
    it.each(rows)('emits the hand-checked events of $file', ({ file, counts, has }) => {
      const evs = parse(runtime, file);
      for (const e of evs) {
        const schema = RuntimeEventSchema.options.find((o) => o.shape.kind.value === e.kind);
        expect(schema?.strict().safeParse(e).success, JSON.stringify(e)).toBe(true);
      }
      const got: Record<string, number> = {};
      for (const e of evs) got[e.kind] = (got[e.kind] ?? 0) + 1;
      expect(got).toEqual(counts);
      for (const h of has) expect(evs).toContainEqual(expect.objectContaining({ runtime, ...h }));
    });
  });
}

describe('OOM messages of other backends (torch-oom.ts)', () => {
  it('DirectML `Could not allocate tensor with N bytes` is an OOM of N bytes on dml, cause unknown (no total)', () => {
    const n = parseOom('RuntimeError: Could not allocate tensor with 530841600 bytes. There is not enough GPU video memory available!');
    expect(n).toEqual({ form: 'directml', device: 'dml', requested: 530841600 });
    expect(n && classifyOom(n)).toEqual({ cause: 'unknown', rule: 'missing_numbers' });
  });

  it('IPEX legacy form without `free` (Comfy-Org/ComfyUI#8767 title): 5.12 GiB asked, 15.11 total, 13.90 − 13.40 reserved-unallocated → ≥ ¼ card: resolution', () => {
    const n = parseOom(
      'XPU out of memory. Tried to allocate 5.12 GiB (GPU 0; 15.11 GiB total capacity; 13.40 GiB already allocated; 13.90 GiB reserved in total by PyTorch)',
    );
    expect(n).toEqual({
      form: 'caching_legacy',
      device: 'xpu:0',
      requested: Math.round(5.12 * GIB),
      total: Math.round(15.11 * GIB),
      allocated: Math.round(13.4 * GIB),
      reservedUnallocated: Math.round(13.9 * GIB) - Math.round(13.4 * GIB),
    });
    expect(n && classifyOom(n)).toEqual({ cause: 'resolution', rule: 'large_single_allocation' });
  });

  it('XPU capacity without `of which X is free` (Comfy-Org/ComfyUI#7004): 128 GiB asked of a 15.56 GiB card → resolution', () => {
    const n = parseOom(
      'KSampler : XPU out of memory. Tried to allocate 128.00 GiB. GPU 0 has a total capacity of 15.56 GiB. Of the allocated memory 2.50 GiB is allocated by PyTorch, and 39.26 MiB is reserved by PyTorch but unallocated. Please use empty_cache to release all unoccupied cached memory.',
    );
    expect(n).toEqual({
      form: 'caching',
      device: 'xpu:0',
      requested: 128 * GIB,
      total: Math.round(15.56 * GIB),
      allocated: 2.5 * GIB,
      reservedUnallocated: Math.round(39.26 * MIB),
    });
    expect(n && classifyOom(n)).toEqual({ cause: 'resolution', rule: 'request_exceeds_total' });
  });

  it('IPEX `Allocation is out of device memory on current platform` (A1111 PR #14353) is an OOM without numbers', () => {
    expect(parseOom('RuntimeError: Allocation is out of device memory on current platform.')).toEqual({ form: 'truncated', device: 'xpu' });
  });
});

describe('ComfyUI', () => {
  it('a traceback pasted without indentation is not swallowed as a Python repr: the exception line is a record of its own', () => {
    const recs = assembleRecords(text('comfyui', 'directml-could-not-allocate-tensor-unindented-traceback-2024-12.log'));
    expect(recs.map((r) => r.text)).toContain('RuntimeError: Could not allocate tensor with 530841600 bytes. There is not enough GPU video memory available!');
    expect(recs.at(-1)).toEqual({ kind: 'line', text: 'Prompt executed in 347.84 seconds', ts: '2024-12-22T17:57:20.461112' });
  });

  it.each([
    ['an exception line', 'RuntimeError: Could not allocate tensor with 1024 bytes. There is not enough GPU video memory available!'],
    ['a frame line', 'File "C:\\x\\functional.py", line 2606, in group_norm'],
    ['a traceback header', 'Traceback (most recent call last):'],
    ['a line with its own log prefix', '2024-12-22T17:57:20.461112 - Prompt executed in 347.84 seconds'],
  ])('an unclosed `f(` line does not swallow %s', (_what, line) => {
    const recs = assembleRecords(`return F.group_norm(\n${line}\n`);
    expect(recs[0]).toEqual({ kind: 'line', text: 'return F.group_norm(' });
    expect(recs).toHaveLength(2);
  });

  it('nor anything after a blank line', () => {
    expect(assembleRecords('return F.group_norm(\n\nPrompt executed in 1.00 seconds\n').map((r) => r.text)).toEqual([
      'return F.group_norm(',
      'Prompt executed in 1.00 seconds',
    ]);
  });

  it('a 2024 `Loading 1 new model` without a `loaded ...` line is a load of the requested model, in order', () => {
    const loads = ofKind(parse('comfyui', 'interrupted-caption-node-loading-1-new-model-2024-07.log'), 'model_load');
    expect(loads.map((e) => e.model)).toEqual(['CLIPVisionModelProjection', 'SDXLClipModel']);
    expect(loads.every((e) => e.loaded_mb === undefined && e.mode === undefined)).toBe(true);
  });

  it('a `loaded ...` line after `Loading 1 new model` is the one load (no second, sizeless one), even with a foreign line between', () => {
    const evs = parseLogText(
      'got prompt\nRequested to load Flux\nLoading 1 new model\nsome custom node print\nloaded partially 11337.9 11337.85 1\nPrompt executed in 5.00 seconds\n',
      'comfyui',
    );
    expect(ofKind(evs, 'model_load')).toEqual([
      { kind: 'model_load', runtime: 'comfyui', model: 'Flux', source: 'cache', loaded_mb: 11337.85, mode: 'partial' },
    ]);
  });

  it('attention OOM retries are one recovered OOM until the job ends', () => {
    const lines =
      'got prompt\nscaled_dot_product_attention OOMed: switched to slice attention\nout of memory error, increasing steps and trying again 4\nout of memory error, increasing steps and trying again 8\nPrompt executed in 9.00 seconds\ngot prompt\nout of memory error, emptying cache and trying again\nPrompt executed in 3.00 seconds\n';
    const ooms = ofKind(parseLogText(lines, 'comfyui'), 'oom');
    expect(ooms).toEqual([0, 1].map(() => ({ kind: 'oom', runtime: 'comfyui', recovered: true, cause: 'unknown', cause_rule: 'missing_numbers' })));
    expect(ofKind(parseLogText(lines, 'comfyui'), 'job_end').map((e) => e.outcome)).toEqual(['ok', 'ok']);
  });

  it('two requests then two loads pair in order (comfy/model_management.py load_models_gpu prints every request, then loads them in turn)', () => {
    const evs = parseLogText(
      'got prompt\nRequested to load SDXLClipModel\nRequested to load SDXL\nloaded completely; 9000.00 MB usable, 1560.80 MB loaded, full load: True\nloaded partially; 5000.00 MB usable, 4897.09 MB loaded, 0.00 MB offloaded, 0.00 MB buffer reserved, lowvram patches: 0\n',
      'comfyui',
    );
    expect(ofKind(evs, 'model_load').map((e) => [e.model, e.loaded_mb, e.mode])).toEqual([
      ['SDXLClipModel', 1560.8, 'full'],
      ['SDXL', 4897.09, 'partial'],
    ]);
  });

  it("a request the previous job never answered (it failed before its log ended) is not the next job's load", () => {
    const evs = parseLogText(
      'got prompt\nRequested to load Flux\ngot prompt\nRequested to load AutoencoderKL\nloaded completely; 9000.00 MB usable, 159.56 MB loaded, full load: True\n',
      'comfyui',
    );
    expect(ofKind(evs, 'model_load').map((e) => e.model)).toEqual(['AutoencoderKL']);
  });

  it('a retry after a job ended is a new recovered OOM (the flag ends with the job)', () => {
    const lines =
      'got prompt\nout of memory error, increasing steps and trying again 2\nPrompt executed in 9.00 seconds\nout of memory error, increasing steps and trying again 2\n';
    expect(ofKind(parseLogText(lines, 'comfyui'), 'oom')).toHaveLength(2);
  });

  it('ComfyUI-Manager names the release only where ComfyUI did not: `ComfyUI version: 0.3.18` beats `Revision: 3183 [b07f116d]`', () => {
    expect(ofKind(parse('comfyui', 'startup-0.3.18-two-device-banners-revision-detached-2025-02.log'), 'runtime_start')[0]?.version).toBe('0.3.18');
    expect(ofKind(parse('comfyui', 'startup-0.3.62-manager-version-line-frontend-export-2025-10.log'), 'runtime_start')[0]?.version).toBe(
      'v0.3.62-25-g5c8e986e',
    );
  });

  it('a bare `[INFO] ` / `[ERROR] ` level prefix is read as the level, the line behind it parsed', () => {
    const recs = assembleRecords('[START] Security scan\n[INFO] Requested to load MiniMaxH3\n[ERROR] Traceback (most recent call last):\n');
    expect(recs[0]).toEqual({ kind: 'line', text: '[START] Security scan' });
    expect(recs.slice(1).map((r) => [r.kind, r.level, r.text])).toEqual([
      ['line', 'INFO', 'Requested to load MiniMaxH3'],
      ['traceback', 'ERROR', 'Traceback (most recent call last):'],
    ]);
  });

  it('a bare 2023 exception marker waits for its traceback across a foreign line', () => {
    const evs = parseLogText(
      'got prompt\nERROR:root:!!! Exception during processing !!!\nSome other thread printed this\nERROR:root:Traceback (most recent call last):\n  File "x.py", line 1, in f\nRuntimeError: [enforce fail at alloc_cpu.cpp:80] data. DefaultCPUAllocator: not enough memory: you tried to allocate 1024 bytes.\nPrompt executed in 0.34 seconds\n',
      'comfyui',
    );
    expect(evs.map((e) => e.kind)).toEqual(['job_start', 'oom', 'job_end']);
    expect(ofKind(evs, 'job_end')[0]?.outcome).toBe('oom');
  });
});

describe('Forge', () => {
  it('`Reuse 0 loaded models` is not a resident model; `Reuse 1` is', () => {
    const loads = ofKind(parse('forge', 'old-forge-reuse-0-then-1-loaded-models-2024-02.log'), 'model_load').filter((e) => e.model === 'SDXLClipModel');
    expect(loads.map((e) => e.source)).toEqual(['cache', 'resident']);
  });

  it('a move at disk speed (≥ 1 GiB at < 1 GiB/s) makes no `cache` claim; a fast one does', () => {
    const neo = ofKind(parse('forge', 'neo-move-on-target-line-page-file-2025-09.log'), 'model_load');
    expect(neo.map((e) => [e.model, e.source, e.loaded_mb, e.mode])).toEqual([
      ['JointTextEncoder', undefined, 9334.77, 'full'],
      ['KModel', undefined, 16975.37, 'full'],
    ]);
    const fast = ofKind(parse('forge', 'checkpoint-fallback-two-moves-total-progress-2024.log'), 'model_load');
    expect(fast.map((e) => e.source)).toEqual(['cache', 'cache']);
  });
});

describe('SD.Next', () => {
  it('sdnext.log lines (pipes without the host, tabs) give their time and level', () => {
    const recs = assembleRecords(
      `${text('sdnext', 'logfile-pipes-xpu-load-model-time-2024-06.log')}${text('sdnext', 'logfile-tabs-oom-processed-zero-images-2024-11.log')}`,
    );
    expect(recs[0]).toEqual(expect.objectContaining({ ts: '2024-06-02T12:45:11.503', level: 'INFO' }));
    expect(recs[0]?.text.startsWith('Autodetect: model="Stable Diffusion"')).toBe(true);
    expect(recs.find((r) => r.text === 'Processing: OutOfMemoryError')).toEqual(expect.objectContaining({ ts: '2024-11-22T21:58:39.196', level: 'ERROR' }));
  });

  it('a job that made no image after `Processing: OutOfMemoryError` ended oom; one that made images after an error ended ok', () => {
    expect(ofKind(parse('sdnext', 'logfile-tabs-oom-processed-zero-images-2024-11.log'), 'job_end')).toEqual([
      { kind: 'job_end', runtime: 'sdnext', ts: '2024-11-22T21:58:39.792', images: 0, outcome: 'oom' },
    ]);
    const later = parseLogText('10:00:00-000000 ERROR    Processing: OutOfMemoryError\n10:00:01-000000 INFO     Processed: images=1 its=1.00\n', 'sdnext');
    expect(ofKind(later, 'job_end')[0]?.outcome).toBe('ok');
  });
});

describe('InvokeAI, Wan2GP, A1111', () => {
  it('InvokeAI 5.x `[MODEL CACHE] Loaded model` lines are loads: 3 with their sizes and times', () => {
    const loads = ofKind(parse('invokeai', 'model-cache-loaded-flux-ascii-bars-2025-05.log'), 'model_load');
    expect(loads.map((e) => [e.model, e.duration_s, e.loaded_mb])).toEqual([
      ['big-lama.pt', 0.02, 194.77],
      ['ac0e3aa4-8f5b-42de-88e4-5b4581a3e9ef:vae', 0.02, 159.87],
      ['a5fe000a-27f0-4ef3-91fd-ef1f597d10f0:transformer', 0.02, 5679.45],
    ]);
  });

  it('Wan2GP `Loading Text Encoder` is a load; a bare `Exception:` is typed', () => {
    expect(ofKind(parse('wan2gp', 'mmgp-3.7.7-loading-text-encoder-stuck-2026-07.log'), 'model_load')).toHaveLength(2);
    expect(ofKind(parse('wan2gp', 'missing-model-exception-error-handler-2025-08.log'), 'error')[0]?.error_type).toBe('Exception');
  });

  it('A1111 `Loading weights ... from PATH` gives the load its path (a Colab Drive mount is a network volume)', () => {
    expect(ofKind(parse('a1111', 'colab-gdrive-model-loaded-empty-local-url-2023-02.log'), 'model_load')[0]?.path).toBe(
      '/content/gdrive/MyDrive/Models/deliberate_v11.safetensors',
    );
  });
});
