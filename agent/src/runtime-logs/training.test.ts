import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from './parser-session.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const parse = (rt: RuntimeName, f: string): RuntimeEvent[] => parseLogText(readFileSync(join(ROOT, rt, f), 'utf8'), rt);

describe('kohya parser', () => {
  it('follows steps and epochs over the NaN-loss run and reports the NaN once', () => {
    const evs = parse('kohya', 'lora-epochs-progress-nan-loss-2025-06.log');
    const prog = evs.filter((e) => e.kind === 'training_progress');
    expect(prog.map((e) => [e.step, e.epoch])).toEqual([
      [41, 1],
      [82, 2],
      [123, 3],
      [164, 4],
      [205, 5],
    ]);
    expect(prog[1]).toEqual({ kind: 'training_progress', runtime: 'kohya', step: 82, total_steps: 3280, epoch: 2, total_epochs: 80, it_per_s: 0.819672 });
    expect(prog.every((e) => !('loss' in e))).toBe(true);
    expect(evs.filter((e) => e.kind === 'error')).toEqual([{ kind: 'error', runtime: 'kohya', error_type: 'NonFiniteLoss', message: 'loss=nan' }]);
  });

  it('splits the traceback glued onto the first step bar (rich logging)', () => {
    expect(parse('kohya', 'sdxl-lora-oom-first-step-rich-logging-2025-08.log')).toEqual([
      { kind: 'training_progress', runtime: 'kohya', step: 1, total_steps: 1600, epoch: 1, loss: 0.087, it_per_s: 1.32 },
      { kind: 'error', runtime: 'kohya' },
    ]);
  });

  it('reports the cut traceback at accelerator.prepare as an untyped error', () => {
    expect(parse('kohya', 'error-at-accelerator-prepare-final-exception-cut-2023-04.log')).toEqual([{ kind: 'error', runtime: 'kohya' }]);
  });

  it('reads run header, checkpoints and resume', () => {
    const evs = parseLogText(
      [
        'running training / 学習開始',
        '  total optimization steps / 学習ステップ数: 800',
        'resume training from local state: /out/last-state',
        'steps:  50%|█████     | 400/800 [01:40<01:40,  4.00it/s, avr_loss=0.0812]',
        'saving checkpoint: /out/lora-000004.safetensors',
        'saving checkpoint: /out/lora-step00000500.safetensors',
      ].join('\n'),
      'kohya',
    );
    expect(evs.map((e) => e.kind)).toEqual(['runtime_start', 'training_resumed', 'runtime_ready', 'training_progress', 'checkpoint_saved', 'checkpoint_saved']);
    expect(evs[3]).toEqual(expect.objectContaining({ step: 400, total_steps: 800, loss: 0.0812, it_per_s: 4 }));
    expect(evs[4]).toEqual(expect.objectContaining({ epoch: 4, path: '/out/lora-000004.safetensors' }));
    expect(evs[5]).toEqual(expect.objectContaining({ step: 500 }));
  });
});

describe('diffusers parser', () => {
  it('reads checkpoints and the Steps bar with the accelerate record glued on', () => {
    expect(parse('diffusers', 'train-dreambooth-lora-accelerate-checkpoints-2023-10.log')).toEqual([
      {
        kind: 'checkpoint_saved',
        runtime: 'diffusers',
        ts: '2023-10-20T15:48:52',
        path: 'C:/Users/User_name/Documents/LORA/W Output\\checkpoint-416',
        step: 416,
      },
      { kind: 'training_progress', runtime: 'diffusers', step: 448, total_steps: 864, loss: 0.253, it_per_s: 0.44843 },
    ]);
  });
});

describe('ai-toolkit parser', () => {
  it('reads the job start banner with the job id, ignoring quantisation bars', () => {
    expect(parse('ai-toolkit', 'wan22-job-start-quantize-two-transformers-2026-06.log')).toEqual([
      { kind: 'runtime_start', runtime: 'ai-toolkit' },
      { kind: 'job_start', runtime: 'ai-toolkit', job_id: '56311152-739c-452a-8488-a83a6036d8a3' },
      { kind: 'model_load', runtime: 'ai-toolkit', model: 'Wan', source: 'disk' },
    ]);
  });

  it('reads progress, saves, resume and OOM skips', () => {
    const evs = parseLogText(
      [
        '# Running job: my_lora',
        '#### IMPORTANT RESUMING FROM /out/my_lora_000000500.safetensors ####',
        'Found step 500 in metadata, starting from there',
        'my_lora:  50%|#####     | 501/1000 [00:01<00:01,  2.00it/s, lr: 1.0e-04 loss: 3.456e-01]',
        '# OOM during training step, skipping batch 1/3 #',
        'Saving at step 600',
        'Saved checkpoint to /out/my_lora_000000600.safetensors',
      ].join('\n'),
      'ai-toolkit',
    );
    expect(evs).toContainEqual({ kind: 'training_resumed', runtime: 'ai-toolkit', path: '/out/my_lora_000000500.safetensors' });
    expect(evs).toContainEqual({ kind: 'training_resumed', runtime: 'ai-toolkit', step: 500 });
    expect(evs).toContainEqual({ kind: 'training_progress', runtime: 'ai-toolkit', step: 501, total_steps: 1000, loss: 0.3456, it_per_s: 2 });
    expect(evs).toContainEqual({ kind: 'oom', runtime: 'ai-toolkit', recovered: true, cause: 'unknown', cause_rule: 'missing_numbers' });
    expect(evs).toContainEqual({ kind: 'checkpoint_saved', runtime: 'ai-toolkit', path: '/out/my_lora_000000600.safetensors', step: 600 });
  });
});
