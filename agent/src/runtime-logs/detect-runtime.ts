// `--runtime auto`: scores the first lines of a log against each runtime's signature lines.
import type { RuntimeName } from '@renderwatch/schema';

/** Weighted signatures; a strong marker outweighs generic ones shared by several runtimes. */
const SIGNATURES: ReadonlyArray<readonly [RuntimeName, RegExp, number]> = [
  ['comfyui', /^(?:.*? - )?got prompt\s*$|Prompt executed in \d/m, 5],
  [
    'comfyui',
    /!!! Exception during processing|Requested to load \w|loaded (?:completely|partially)|prepared for dynamic VRAM loading|Got an OOM, unloading|To see the GUI go to:/,
    5,
  ],
  ['comfyui', /ComfyUI|\{'type': 'execution_|\{"type": "execution_|Memory summary: \|/, 3],
  // the frontend's log export (`2025-07-10T21:23:20.769344 - `) and a model's construction line
  ['comfyui', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} - |^(?:.*? - )?model_type [A-Z_]+\s*$/m, 3],
  [
    'forge',
    /\[Memory Management\]|\[Unload\] Trying to free|Moving model\(s\) has taken|To load target model|Begin to load \d+ model|\[LORA\] Loaded|K-Model Created|Memory cleanup has taken/,
    6,
  ],
  ['forge', /stable-diffusion-webui-forge|ldm_patched|forge/i, 2],
  // Forge's version string (`Version: f0.0.17v1.8.0rc-...`) and its start-up banner lines
  [
    'forge',
    /^Version: f\d+\.\d+\.\d+|CUDA Stream Activated:|--pin-shared-memory for potential speed|^\[GPU Setting\] You will use|^Environment vars changed: \{'stream'/m,
    6,
  ],
  [
    'a1111',
    /\*\*\* Error completing request|Loading weights \[\w+\]|Model loaded in [\d.]+s|Reusing loaded model|Launching Web UI|Commit hash:|Total progress:|Creating model from config|Startup time: [\d.]+s/,
    4,
  ],
  ['a1111', /stable-diffusion-webui|sd\.webui|\*\*\* Arguments:/, 2],
  ['sdnext', /^\d\d:\d\d:\d\d-\d{6} (?:DEBUG|INFO|WARNING|ERROR|TRACE)\s/m, 5],
  ['sdnext', /SD\.Next|sdnext/i, 4],
  // sdnext.log: `ts | [host |] name | LEVEL | module | msg`, or tab-separated
  [
    'sdnext',
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d{3}(?: \| [^|\n]+){1,2} \| (?:DEBUG|INFO|WARNING|ERROR|TRACE) \| |^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\t(?:DEBUG|INFO|WARNING|ERROR|TRACE)\t/m,
    5,
  ],
  ['invokeai', /::\[InvokeAI\]::|TOTAL GRAPH EXECUTION TIME|RAM cache statistics|Model cache hits:|Graph stats:/, 8],
  ['wan2gp', /Memory Management for the GPU Poor|mmgp|Wan2GP|wgp\.py|unsufficient VRAM|New video saved to Path|Hooked to model '/i, 8],
  // \u5b66\u7fd2 = 学習 (sd-scripts' Japanese messages), escaped: a character above U+00FF in a regex literal makes
  // V8 keep the whole bundle's source as a two-byte string (scripts/bundle-agent.mjs)
  ['kohya', /sd-scripts|kohya|train_network\.py|avr_loss=|epoch is incremented|\u5b66\u7fd2|train_util\.py/, 8],
  ['diffusers', /\*\*\*\*\* Running training \*\*\*\*\*|- accelerate\.\w+ - |Saved state to .*checkpoint-\d+|^Steps: /m, 7],
  ['ai-toolkit', /# Running job:|ai-toolkit|aitk_db|Running {2}\d+ process|OOM during training step|Quantizing Transformer/, 8],
];

const HEAD_BYTES = 64 * 1024;

export interface Detection {
  readonly runtime: RuntimeName;
  readonly score: number;
}

/** Best-scoring runtime over the head of `text`, or undefined when nothing matched. */
export function detectRuntime(text: string): Detection | undefined {
  const head = text.length > HEAD_BYTES ? text.slice(0, HEAD_BYTES) : text;
  const scores = new Map<RuntimeName, number>();
  for (const [rt, re, w] of SIGNATURES) {
    const hits = head.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))?.length ?? 0;
    if (hits > 0) scores.set(rt, (scores.get(rt) ?? 0) + w * Math.min(hits, 5));
  }
  let best: Detection | undefined;
  for (const [runtime, score] of scores) if (best === undefined || score > best.score) best = { runtime, score };
  return best;
}
