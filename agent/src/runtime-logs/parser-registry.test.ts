// Table-driven tests of every non-ComfyUI runtime over the shared fixtures (ComfyUI: comfyui.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeEventSchema } from '@renderwatch/schema';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { HARVEST } from '../../test/support/runtime-log-harvest.js';
import { PARSERS } from './parser-registry.js';
import { parseLogText } from './parser-session.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

interface Row {
  file: string;
  counts: Record<string, number>;
  has: Partial<RuntimeEvent>[];
}

const TABLE: Partial<Record<RuntimeName, Row[]>> = {
  a1111: [
    {
      file: 'oom-error-completing-request-after-slow-job-2023-10.log',
      counts: { progress: 1, error: 1, job_end: 1 },
      has: [
        { kind: 'progress', step: 30, total_steps: 30, it_per_s: 0.020568 },
        // the excerpt ends inside the traceback: a failure without a type, never a guessed OOM
        { kind: 'job_end', job_id: 'y45gdzs5l75m2r7', steps: 30, batch: 1, width: 768, height: 1200, outcome: 'error' },
      ],
    },
    {
      file: 'oom-error-completing-request-second-job-2024-01.log',
      counts: { progress: 2, error: 1, job_end: 1 },
      has: [
        { kind: 'progress', step: 20, total_steps: 20, it_per_s: 8.69 },
        { kind: 'job_end', job_id: 'lvau6n2en670qr9', steps: 20, batch: 1, width: 512, height: 512, outcome: 'error' },
      ],
    },
    {
      file: 'sdxl-refiner-switch-reusing-loaded-model-2023-09.log',
      counts: { model_load: 2, progress: 2 },
      has: [
        { kind: 'model_load', duration_s: 3.4 },
        { kind: 'model_load', model: 'sd_xl_refiner_1.0.safetensors', model_hash: '7440042bbd', source: 'disk', duration_s: 2.4 },
        { kind: 'progress', step: 24, total_steps: 30, it_per_s: 1.86 },
      ],
    },
    {
      file: 'v1.0-cold-start-model-loaded-startup-time.log',
      counts: { model_load: 1, runtime_start: 1, runtime_ready: 1 },
      has: [
        { kind: 'model_load', model: 'v1-5-pruned-emaonly.safetensors', model_hash: '6ce0161689', source: 'disk', duration_s: 62.7 },
        { kind: 'runtime_start', version: '22bcc7be428c94e9408f589966c2040187245d81' },
        { kind: 'runtime_ready', startup_s: 75.6, url: 'http://127.0.0.1:7860' },
      ],
    },
  ],
  forge: [
    {
      file: 'lora-load-unload-text-encoder-2025.log',
      counts: { progress: 1, model_unload: 1, model_load: 2 },
      has: [
        { kind: 'model_unload', model: 'JointTextEncoder' },
        { kind: 'model_load', model: 'illu_v0_1_color_spot_v1_0.safetensors' },
        { kind: 'model_load', model: 'JointTextEncoder', source: 'cache', duration_s: 1.07, loaded_mb: 1752.98, mode: 'full' },
      ],
    },
    {
      file: 'new-forge-model-switch-cpu-swap-2024.log',
      counts: { model_unload: 1, model_load: 3 },
      has: [
        { kind: 'model_unload', model: 'IntegratedAutoencoderKL' },
        { kind: 'model_load', source: 'disk', duration_s: 11.2 },
        { kind: 'model_load', model: 'KModel', source: 'cache', duration_s: 1.13, loaded_mb: 1306.94, offloaded_mb: 1971.88, mode: 'partial' },
      ],
    },
    {
      file: 'old-forge-hires-two-pass-total-progress-2024.log',
      counts: { model_load: 2, progress: 2, job_end: 1 },
      has: [
        { kind: 'model_load', source: 'cache', duration_s: 0.24, loaded_mb: 159.56 },
        { kind: 'job_end', outcome: 'ok' },
        { kind: 'model_load', model: 'SDXLClipModel', duration_s: 0.61, loaded_mb: 2144.35 },
      ],
    },
    {
      file: 'old-forge-ldm-patched-model-switch-2024.log',
      counts: { model_load: 4 },
      has: [
        { kind: 'model_load', model: 'BaseModel', duration_s: 0.04, loaded_mb: 0.01 },
        { kind: 'model_load', source: 'disk', duration_s: 7.7 },
        { kind: 'model_load', model: 'AutoencoderKL', duration_s: 1.3, loaded_mb: 319.11 },
      ],
    },
  ],
  sdnext: [
    {
      file: 'load-model-balanced-offload-2025.log',
      counts: { model_load: 1 },
      has: [{ kind: 'model_load', model: 'juggernautXL_juggXIByRundiffusion', model_hash: '33e58e8668', source: 'disk' }],
    },
    {
      file: 'startup-ipex-2025-02.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', version: 'updated=2025-02-05 hash=9f122234 branch=master' }],
    },
  ],
  invokeai: [
    { file: 'graph-stats-flux-cache-hits-2025-01.log', counts: { job_end: 1 }, has: [{ kind: 'job_end', duration_s: 168.455, outcome: 'ok' }] },
    {
      file: 'hip-oom-then-graph-stats-2025-02.log',
      counts: { oom: 1 },
      has: [
        {
          kind: 'oom',
          requested_bytes: Math.round(4.5 * GIB),
          total_bytes: Math.round(15.98 * GIB),
          free_bytes: Math.round(1.4 * GIB),
          allocated_bytes: Math.round(1.26 * GIB),
          reserved_unallocated_bytes: Math.round(152.5 * MIB),
          cause: 'other_process',
          cause_rule: 'unaccounted_device_memory',
        },
      ],
    },
  ],
  wan2gp: [
    {
      file: 'gradio-vram-error-wrapper-oom-traceback-2025-03.log',
      counts: { oom: 1, job_end: 1, progress: 1 },
      has: [
        { kind: 'oom', cause: 'unknown', cause_rule: 'missing_numbers', recovered: false },
        { kind: 'job_end', outcome: 'oom' },
      ],
    },
    {
      file: 'mmgp-3.6.3-partial-pinning-load-then-error-2025-10.log',
      counts: { model_load: 1, error: 1 },
      has: [{ kind: 'model_load', model: 'wan2.2_animate_14B_quanto_bf16_int8.safetensors', source: 'disk' }],
    },
    {
      file: 'oom-new-format-no-process-info-2025-08.log',
      counts: { oom: 1 },
      has: [{ kind: 'oom', requested_bytes: 854 * MIB, free_bytes: Math.round(10.23 * GIB), cause: 'unknown', cause_rule: 'free_covers_request' }],
    },
  ],
};

function strictValid(e: RuntimeEvent): boolean {
  const schema = RuntimeEventSchema.options.find((o) => o.shape.kind.value === e.kind);
  return schema?.strict().safeParse(e).success === true;
}

for (const [runtime, rows] of Object.entries(TABLE) as [RuntimeName, Row[]][]) {
  describe(`${runtime} parser over the shared fixtures`, () => {
    const dir = join(ROOT, runtime);
    it('has an expectation for every fixture file (here or in the harvest table, harvest-logs.test.ts)', () => {
      expect([...rows, ...(HARVEST[runtime] ?? [])].map((r) => r.file).sort()).toEqual(
        readdirSync(dir)
          .filter((f) => !f.endsWith('.md'))
          .sort(),
      );
    });
    it.each(rows)('emits the hand-checked events of $file', ({ file, counts, has }) => {
      const evs = parseLogText(readFileSync(join(dir, file), 'utf8'), runtime);
      for (const e of evs) expect(strictValid(e), JSON.stringify(e)).toBe(true);
      const got: Record<string, number> = {};
      for (const e of evs) got[e.kind] = (got[e.kind] ?? 0) + 1;
      expect(got).toEqual(counts);
      for (const h of has) expect(evs).toContainEqual(expect.objectContaining({ runtime, ...h }));
    });
  });
}

describe('PARSERS', () => {
  it('has one parser per runtime, named for it', () => {
    for (const [name, p] of Object.entries(PARSERS)) expect(p.runtime).toBe(name);
  });
});
