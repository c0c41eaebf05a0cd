// Trainer logs pasted into public issue threads (agent/test/fixtures/runtime-logs/kohya/SOURCES.md):
// each test states what a user reads in the excerpt and asserts exactly that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';
import { describe, expect, it } from 'vitest';
import { parseLogText } from './parser-session.js';
import { parseBar, parsePlainBar } from './tqdm.js';

const ROOT = join(import.meta.dirname, '../../test/fixtures/runtime-logs');
const read = (rt: RuntimeName, f: string): string => readFileSync(join(ROOT, rt, f), 'utf8');
const parse = (rt: RuntimeName, f: string): RuntimeEvent[] => parseLogText(read(rt, f), rt);

describe('tqdm bars as Google Colab shows them (no |glyphs|)', () => {
  it('reads `steps:   0% 0/2300 [00:01<?, ?it/s]` like the bar with glyphs', () => {
    expect(parsePlainBar('steps:   0% 0/2300 [00:01<?, ?it/s]')).toEqual({ desc: 'steps', n: 0, total: 2300, end: 35 });
    // the same bar with glyphs reads the same numbers
    expect(parseBar('steps:   0%|          | 0/2300 [00:01<?, ?it/s]')).toEqual(expect.objectContaining({ desc: 'steps', n: 0, total: 2300 }));
    expect(parsePlainBar('Steps:  52% 448/864 [09:57<15:29,  2.23s/it, loss=0.253, lr=0.0001]')).toEqual({
      desc: 'Steps',
      n: 448,
      total: 864,
      itPerS: 0.44843, // 1 / 2.23 s/it
      postfix: 'loss=0.253, lr=0.0001',
      end: 67,
    });
  });

  it('is not fooled by percentages in prose', () => {
    expect(parsePlainBar('loading 50% of the weights [lowvram]')).toBeUndefined();
    expect(parsePlainBar('GPU util 100% 3/4 done')).toBeUndefined();
  });

  it('kohya on Colab (bmaltais/kohya_ss#3300): the step bar after the OOM is progress 0 of 2300', () => {
    expect(parse('kohya', 'sdxl-dreambooth-oom-colab-bar-without-glyphs-2025-07.log')).toEqual([
      { kind: 'training_progress', runtime: 'kohya', step: 0, total_steps: 2300 },
      { kind: 'error', runtime: 'kohya' },
    ]);
  });
});

describe('kohya sd-scripts excerpts', () => {
  it('bmaltais/kohya_ss#636: run header (bilingual), bar at 0/2000 with `epoch 1/1` glued on, then the traceback', () => {
    expect(parse('kohya', 'lora-running-training-epoch-glued-to-bar-windows-2023-04.log')).toEqual([
      { kind: 'runtime_start', runtime: 'kohya' },
      { kind: 'runtime_ready', runtime: 'kohya' },
      { kind: 'training_progress', runtime: 'kohya', step: 0, total_steps: 2000, total_epochs: 1 },
      { kind: 'error', runtime: 'kohya' },
    ]);
  });

  it('kohya-ss/sd-scripts#1464 (Flux LoRA, rich logging): start, ready at the first bar, 1600 steps over 16 epochs planned', () => {
    expect(parse('kohya', 'flux-lora-rich-logging-header-prodigy-2024-08.log')).toEqual([
      { kind: 'runtime_start', runtime: 'kohya' },
      { kind: 'runtime_ready', runtime: 'kohya' },
      { kind: 'training_progress', runtime: 'kohya', step: 0, total_steps: 1600, total_epochs: 16 },
    ]);
  });

  it('bmaltais/kohya_ss#61: the header read through mojibake (UTF-8 shown as cp1252) still gives 25 steps, 1 epoch', () => {
    expect(parse('kohya', 'lora-mojibake-bilingual-header-windows-2022.log')).toEqual([
      { kind: 'training_progress', runtime: 'kohya', step: 0, total_steps: 25, total_epochs: 1 },
      { kind: 'error', runtime: 'kohya' },
    ]);
  });

  it('a second run in the same console (the kohya_ss GUI) starts at no epoch: nothing of the previous run carries over', () => {
    const evs = parseLogText(
      read('kohya', 'lora-epochs-progress-nan-loss-2025-06.log') + read('kohya', 'lora-running-training-epoch-glued-to-bar-windows-2023-04.log'),
      'kohya',
    );
    // the first run ended at epoch 6 of 80; the second announces 1 epoch of 2000 steps and is at step 0, epoch not yet begun
    expect(evs.filter((e) => e.kind === 'training_progress').at(-1)).toEqual({
      kind: 'training_progress',
      runtime: 'kohya',
      step: 0,
      total_steps: 2000,
      total_epochs: 1,
    });
  });

  it('LarryJane491/Lora-Training-in-Comfy#107 (sd-scripts run by a ComfyUI node): `avr_loss=0` is a loss of 0, epochs 11..16 of 50', () => {
    const prog = parse('kohya', 'comfyui-lora-node-avr-loss-zero-epochs-2024.log');
    expect(prog.map((e) => (e.kind === 'training_progress' ? [e.step, e.epoch, e.loss, e.it_per_s] : e.kind))).toEqual([
      [176, 11, 0, 3.79],
      [192, 12, 0, 3.8],
      [208, 13, 0, 3.81],
      [224, 14, 0, 3.82],
      [240, 15, 0, 3.83],
      [256, 16, 0, 3.84],
    ]);
    expect(prog[0]).toEqual({ kind: 'training_progress', runtime: 'kohya', step: 176, total_steps: 800, epoch: 11, total_epochs: 50, loss: 0, it_per_s: 3.79 });
  });

  it('kohya-ss/musubi-tuner#477 behind a launcher printing `[08:03:35] [STDERR] `: steps, the glued epoch and 21.93 s/it', () => {
    const prog = parse('kohya', 'musubi-tuner-launcher-stderr-prefix-glued-epoch-2025.log');
    // 1 / 21.93 s/it = 0.0456 it/s; the epoch line glued after the first bar applies from the next bar on
    expect(prog[0]).toEqual({ kind: 'training_progress', runtime: 'kohya', step: 36, total_steps: 96, loss: 0.0796, it_per_s: 0.0456 });
    expect(prog.map((e) => (e.kind === 'training_progress' ? [e.step, e.epoch, e.loss] : e.kind))).toEqual([
      [36, undefined, 0.0796],
      [37, 7, 0.0796],
      [37, 7, 0.0853],
      [38, 7, 0.0853],
      [38, 7, 0.0806],
      [39, 7, 0.0806],
    ]);
  });
});

describe('diffusers training-script excerpts', () => {
  it('johnman3032/simple-lora-dreambooth-trainer#2 (a later chunk): checkpoint-608 saved between steps 608 and 640 of 864', () => {
    expect(parse('diffusers', 'train-dreambooth-lora-checkpoints-608-640-2023-10.log')).toEqual([
      { kind: 'training_progress', runtime: 'diffusers', step: 608, total_steps: 864, loss: 0.0717, it_per_s: 0.221729 }, // 1 / 4.51 s/it
      {
        kind: 'checkpoint_saved',
        runtime: 'diffusers',
        path: 'C:/Users/User_name/Documents/LORA/W Output\\checkpoint-608',
        ts: '2023-10-20T15:57:48',
        step: 608,
      },
      { kind: 'training_progress', runtime: 'diffusers', step: 640, total_steps: 864, loss: 0.405, it_per_s: 0.220264 },
    ]);
  });
});

describe('ai-toolkit excerpts', () => {
  it('ostris/ai-toolkit#34: `Error running job: …` is the error (message templated), `- 1 failure` ends the job as error, the re-raised traceback adds nothing', () => {
    expect(parse('ai-toolkit', 'flux-lora-windows-error-running-job-pickle-2024-08.log')).toEqual([
      {
        kind: 'error',
        runtime: 'ai-toolkit',
        message: 'cannot <words> <str> object',
        message_fingerprint: '567cac20f8d064e7',
        message_raw: "cannot pickle 'weakref.ReferenceType' object",
      },
      { kind: 'job_end', runtime: 'ai-toolkit', outcome: 'error' },
    ]);
  });

  it('ostris/ai-toolkit#237: the job banner of a version without `Job ID` starts a job; cached shards are no download', () => {
    expect(parse('ai-toolkit', 'flux-lora-job-start-automagic-relaunch-2024-12.log')).toEqual([
      { kind: 'runtime_start', runtime: 'ai-toolkit' },
      { kind: 'job_start', runtime: 'ai-toolkit' },
      { kind: 'model_load', runtime: 'ai-toolkit', model: 'Flux', source: 'disk' },
    ]);
  });

  it('a failure of the next job in the same log is reported again (a new run forgets the last one)', () => {
    const failed = read('ai-toolkit', 'flux-lora-windows-error-running-job-pickle-2024-08.log');
    const evs = parseLogText(failed + read('ai-toolkit', 'wan22-job-start-quantize-two-transformers-2026-06.log') + failed, 'ai-toolkit');
    expect(evs.filter((e) => e.kind === 'error' || e.kind === 'job_end').map((e) => e.kind)).toEqual(['error', 'job_end', 'error', 'job_end']);
  });
});
