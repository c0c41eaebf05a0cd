import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeEventSchema } from '@renderwatch/schema';
import type { RuntimeEvent } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { HARVEST } from '../../test/support/runtime-log-harvest.js';
import { parseLogText } from './parser-session.js';

const DIR = join(import.meta.dirname, '../../test/fixtures/runtime-logs/comfyui');
const parse = (f: string): RuntimeEvent[] => parseLogText(readFileSync(join(DIR, f), 'utf8'), 'comfyui');
const strict = (e: RuntimeEvent): void => {
  const schema = RuntimeEventSchema.options.find((o) => o.shape.kind.value === e.kind);
  expect(schema?.strict().safeParse(e).success, JSON.stringify(e)).toBe(true);
};
const counts = (evs: RuntimeEvent[]): Record<string, number> => {
  const c: Record<string, number> = {};
  for (const e of evs) c[e.kind] = (c[e.kind] ?? 0) + 1;
  return c;
};

interface Row {
  file: string;
  counts: Record<string, number>;
  has: Partial<RuntimeEvent>[];
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const ROWS: Row[] = [
  {
    file: 'dynamic-vram-two-jobs-2026.log',
    counts: { job_start: 2, model_load: 4, progress: 1, job_end: 1 },
    has: [
      { kind: 'model_load', model: 'SD1ClipModel', source: 'disk', loaded_mb: 235, mode: 'dynamic' },
      { kind: 'model_load', model: 'BaseModel', source: 'disk', loaded_mb: 1639, mode: 'dynamic' },
      { kind: 'model_load', model: 'AutoencoderKL', source: 'disk', loaded_mb: 159, mode: 'dynamic' },
      { kind: 'progress', step: 20, total_steps: 20, it_per_s: 20.4 },
      { kind: 'job_end', duration_s: 2.8, outcome: 'ok' },
      // job 2 is warm: no construction lines, the model is re-staged from RAM
      { kind: 'model_load', model: 'BaseModel', source: 'cache', loaded_mb: 1639, mode: 'dynamic' },
    ],
  },
  {
    file: 'flux-3-jobs-legacy-loaded-format-iso-ts-2025-05.log',
    counts: { model_load: 6, progress: 2, job_end: 2, job_start: 2 },
    has: [
      { kind: 'model_load', ts: '2025-05-08T15:38:34.725573', loaded_mb: 4777.54, mode: 'full' },
      { kind: 'model_load', ts: '2025-05-08T15:38:37.452958', loaded_mb: 7013.99, mode: 'partial' },
      { kind: 'job_end', ts: '2025-05-08T15:38:49.374418', duration_s: 17.2, outcome: 'ok' },
      { kind: 'model_load', model: 'FluxClipModel_', source: 'cache', loaded_mb: 4777.54, mode: 'full' },
      { kind: 'job_end', ts: '2025-05-08T15:40:23.626622', duration_s: 16.68, outcome: 'ok' },
      { kind: 'job_start', ts: '2025-05-08T15:42:54.790054' },
    ],
  },
  {
    file: 'fully-cached-reruns-2023-07.log',
    counts: { progress: 2, job_end: 4, job_start: 3 },
    has: [
      { kind: 'progress', step: 20, total_steps: 20, it_per_s: 3.57 },
      { kind: 'job_end', duration_s: 14.06, outcome: 'ok' },
      { kind: 'job_end', duration_s: 0, outcome: 'ok', images: 0 },
    ],
  },
  {
    file: 'hip-oom-rocm-cogvideo-2024-09.log',
    counts: { progress: 1, oom: 1 },
    has: [
      {
        kind: 'oom',
        requested_bytes: Math.round(35.31 * GIB),
        total_bytes: Math.round(19.94 * GIB),
        free_bytes: Math.round(13.47 * GIB),
        allocated_bytes: Math.round(5.17 * GIB),
        reserved_unallocated_bytes: Math.round(259.56 * MIB),
        cause: 'resolution',
        cause_rule: 'request_exceeds_total',
        recovered: false,
      },
    ],
  },
  {
    file: 'mps-oom-desktop-2025.log',
    counts: { oom: 1 },
    has: [
      {
        kind: 'oom',
        device: 'mps',
        requested_bytes: Math.round(6.15 * GIB),
        total_bytes: Math.round(182.78 * GIB),
        allocated_bytes: Math.round(39.5 * GIB),
        cause: 'other_process',
        cause_rule: 'mps_other_allocations_exceed_mps',
      },
    ],
  },
  {
    file: 'oom-allocation-on-device-memory-summary-2026.log',
    counts: { oom: 1 },
    has: [
      {
        kind: 'oom',
        device: 'cuda:0',
        requested_bytes: 576 * MIB,
        total_bytes: 8 * GIB,
        free_bytes: 0,
        allocated_bytes: Math.round(5.79 * GIB),
        cause: 'other_process',
        cause_rule: 'unaccounted_device_memory',
      },
    ],
  },
  {
    file: 'oom-allocation-on-device-then-lowvram-retry-2024-09.log',
    counts: { oom: 2, job_end: 1, job_start: 1, model_load: 1 },
    has: [
      { kind: 'oom', cause: 'unknown', cause_rule: 'missing_numbers' },
      { kind: 'job_end', ts: '2024-09-11T11:23:13.602', duration_s: 296.92, outcome: 'oom' },
      { kind: 'model_load', model: 'Flux', source: 'cache', loaded_mb: 11337.85, mode: 'partial' },
      { kind: 'oom', ts: '2024-09-11T11:51:36.769', cause: 'unknown', cause_rule: 'missing_numbers' },
    ],
  },
  {
    file: 'oom-cudamallocasync-full-message-2024-04.log',
    counts: { oom: 1, job_end: 1 },
    has: [
      {
        kind: 'oom',
        requested_bytes: 952 * MIB,
        total_bytes: 24 * GIB,
        free_bytes: 0,
        allocated_bytes: Math.round(21.55 * GIB),
        cause: 'other_process',
        cause_rule: 'unaccounted_device_memory',
      },
      { kind: 'job_end', duration_s: 188.48, outcome: 'oom' },
    ],
  },
  {
    file: 'startup-0.3.33-win-4090-native-allocator.log',
    counts: { runtime_start: 1 },
    has: [
      {
        kind: 'runtime_start',
        ts: '2025-05-08T18:51:05.085',
        version: '0.3.33',
        extensions: ['rgthree-comfy', 'comfyui-easy-use', 'comfyui-manager', 'agilly1989_motorway'],
      },
    ],
  },
  {
    file: 'startup-0.3.56-manager-file-timestamps-2025-09.log',
    counts: { runtime_start: 1 },
    has: [{ kind: 'runtime_start', ts: '2025-09-04T11:50:17.092', version: '0.3.56', extensions: ['rgthree-comfy', 'ComfyUI-Easy-Use', 'comfyui-manager'] }],
  },
  {
    file: 'startup-2024-01-manager-old-format.log',
    counts: { runtime_start: 1 },
    has: [{ kind: 'runtime_start', ts: '2024-01-09T23:00:59.119702', version: '1889 [b3b5ddb0]', extensions: ['rgthree-comfy', 'ComfyUI-Manager'] }],
  },
  {
    file: 'startup-2024-06-linux-manager-vae-dtype.log',
    counts: { runtime_start: 1 },
    has: [{ kind: 'runtime_start', ts: '2024-06-10T09:52:30.847832', extensions: ['rgthree-comfy', 'ComfyUI-Manager'] }],
  },
  {
    file: 'ws-messages-python-repr-2024-01.txt',
    counts: { job_start: 1, node_cache: 1 },
    has: [
      { kind: 'job_start', job_id: '3328f0c8-9368-4070-90e7-087e854fe315' },
      { kind: 'node_cache', cached_nodes: 21 },
    ],
  },
];

describe('comfyuiParser over the shared fixtures', () => {
  it('has an expectation for every fixture file (here or in the harvest table, harvest-logs.test.ts)', () => {
    const files = readdirSync(DIR)
      .filter((f) => !f.endsWith('.md'))
      .sort();
    expect([...ROWS, ...(HARVEST.comfyui ?? [])].map((r) => r.file).sort()).toEqual(files);
  });

  it.each(ROWS)('emits the hand-checked events of $file', ({ file, counts: want, has }) => {
    const evs = parse(file);
    for (const e of evs) strict(e);
    expect(counts(evs)).toEqual(want);
    for (const h of has) expect(evs).toContainEqual(expect.objectContaining({ runtime: 'comfyui', ...h }));
  });
});

const one = (text: string): RuntimeEvent[] => parseLogText(text, 'comfyui');

describe('comfyuiParser format variants', () => {
  it.each([
    ['loaded completely; 9000.00 MB usable, 4777.54 MB loaded, full load: True', { loaded_mb: 4777.54, mode: 'full' }],
    ['loaded completely;  159.56 MB loaded, full load: True', { loaded_mb: 159.56, mode: 'full' }],
    [
      'loaded partially; 7014.62 MB usable, 7013.99 MB loaded, 4200.00 MB offloaded, 512.00 MB buffer reserved, lowvram patches: 0',
      { loaded_mb: 7013.99, offloaded_mb: 4200, mode: 'partial' },
    ],
    ['loaded completely 5269.104292678833 4777.53759765625 True', { loaded_mb: 4777.54, mode: 'full' }],
    ['loaded partially 7014.618897003174 7013.986389160156 0', { loaded_mb: 7013.99, mode: 'partial' }],
    ['loaded completely 5269.10 4777.53', { loaded_mb: 4777.53, mode: 'full' }],
    ['loading in lowvram mode 1234.5', { loaded_mb: 1234.5, mode: 'partial' }],
  ])('reads the load line %s', (line, want) => {
    expect(one(`Requested to load SDXL\n${line}\n`)).toEqual([{ kind: 'model_load', runtime: 'comfyui', model: 'SDXL', ...want }]);
  });

  it('reads Prompt executed in HH:MM:SS as seconds', () => {
    expect(one('got prompt\nPrompt executed in 00:12:05\n')).toContainEqual(expect.objectContaining({ kind: 'job_end', duration_s: 725 }));
  });

  it.each([
    '!!! Exception during processing !!! CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 8.00 GiB total capacity; 5.00 GiB already allocated; 1.00 GiB free; 5.50 GiB reserved in total by PyTorch)',
    'ERROR:root:!!! Exception during processing!!! CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 8.00 GiB total capacity; 5.00 GiB already allocated; 1.00 GiB free; 5.50 GiB reserved in total by PyTorch)',
  ])('reports one OOM per failed job for %s', (marker) => {
    const evs = one(
      `got prompt\n${marker}\nTraceback (most recent call last):\n  File "x.py", line 1, in f\ntorch.cuda.OutOfMemoryError: CUDA out of memory.\n\nPrompt executed in 3.00 seconds\n`,
    );
    expect(evs.filter((e) => e.kind === 'oom')).toEqual([
      expect.objectContaining({
        requested_bytes: 2147483648,
        total_bytes: 8 * GIB,
        reserved_unallocated_bytes: GIB / 2,
        cause: 'resolution',
        cause_rule: 'large_single_allocation',
      }),
    ]);
    expect(evs.at(-1)).toEqual(expect.objectContaining({ kind: 'job_end', outcome: 'oom', duration_s: 3 }));
  });

  it('takes the exception type from the traceback after a bare 2023 marker', () => {
    const evs = one(
      'got prompt\n!!! Exception during processing !!!\nTraceback (most recent call last):\n  File "x.py", line 1, in f\nKeyError: \'model\'\nPrompt executed in 0.50 seconds\n',
    );
    // the quoted key becomes <str> (message-template.ts); the line itself stays only for the raw opt-in
    expect(evs).toContainEqual({
      kind: 'error',
      runtime: 'comfyui',
      error_type: 'KeyError',
      message: '<str>',
      message_fingerprint: '0568ce21771bec22',
      message_raw: "'model'",
    });
    expect(evs.at(-1)).toEqual(expect.objectContaining({ outcome: 'error' }));
  });

  it('counts a tiled-VAE retry as a recovered OOM and the job as ok', () => {
    const evs = one('got prompt\nWarning: Ran out of memory when regular VAE decoding, retrying with tiled VAE decoding.\nPrompt executed in 9.00 seconds\n');
    expect(evs).toContainEqual({ kind: 'oom', runtime: 'comfyui', recovered: true, cause: 'unknown', cause_rule: 'missing_numbers' });
    expect(evs.at(-1)).toEqual(expect.objectContaining({ outcome: 'ok' }));
  });

  it('a 0.00 s job is a fully cached re-run (0 images) whatever foreign lines it holds, but not once it loaded a model', () => {
    // log-variants.test.ts: another runtime's line or binary garbage inside the job made it "worked"
    const cached = one(
      'got prompt\nFETCH DATA from: /srv/comfyui/custom_nodes/ComfyUI-Manager/extension-node-map.json [DONE]\n\ufffd\x01\x02\nPrompt executed in 0.00 seconds\n',
    );
    expect(cached.at(-1)).toEqual({ kind: 'job_end', runtime: 'comfyui', duration_s: 0, outcome: 'ok', images: 0 });
    const worked = one('got prompt\nRequested to load SDXLClipModel\nPrompt executed in 0.00 seconds\n');
    expect(worked.at(-1)).toEqual({ kind: 'job_end', runtime: 'comfyui', duration_s: 0, outcome: 'ok' });
    const recovered = one(
      'got prompt\nWarning: Ran out of memory when regular VAE decoding, retrying with tiled VAE decoding.\nPrompt executed in 0.00 seconds\n',
    );
    expect(recovered.at(-1)).toEqual({ kind: 'job_end', runtime: 'comfyui', duration_s: 0, outcome: 'ok' });
    const barred = one('got prompt\n100%|██████████| 20/20 [00:02<00:00,  9.50it/s]\nPrompt executed in 0.00 seconds\n');
    expect(barred.at(-1)).toEqual({ kind: 'job_end', runtime: 'comfyui', duration_s: 0, outcome: 'ok' });
  });

  it('keeps collecting custom nodes after another line inside the import-times list', () => {
    // log-variants.test.ts: a foreign line between two entries ended the list
    const evs = one(
      'Import times for custom nodes:\n   0.0 seconds: /c/custom_nodes/rgthree-comfy\nINFO: another thread\n   0.2 seconds: /c/custom_nodes/ComfyUI-Manager\n\nComfyUI version: 0.3.40\nStarting server\n',
    );
    expect(evs[0]).toEqual({ kind: 'runtime_start', runtime: 'comfyui', version: '0.3.40', extensions: ['rgthree-comfy', 'ComfyUI-Manager'] });
  });

  it('marks interrupted jobs and reads the server URL', () => {
    const evs = one(
      'Total VRAM 24564 MB, total RAM 32694 MB\nStarting server\n\nTo see the GUI go to: http://127.0.0.1:8188\ngot prompt\nProcessing interrupted\nPrompt executed in 1.00 seconds\n',
    );
    expect(evs.map((e) => e.kind)).toEqual(['runtime_start', 'runtime_ready', 'job_start', 'job_end']);
    expect(evs[1]).toEqual({ kind: 'runtime_ready', runtime: 'comfyui', url: 'http://127.0.0.1:8188' });
    expect(evs[3]).toEqual(expect.objectContaining({ outcome: 'interrupted' }));
  });
});
