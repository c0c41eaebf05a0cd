// ComfyUI API payloads in the shapes recorded in docs/research/runtime-logs.md "2.1 ComfyUI"
// (`server.py`, `execution.py` at 0.15.1): /system_stats, /queue items, /history entries with
// `status.messages`, `logs` websocket frames. No real ComfyUI was available here; these builders
// reproduce those shapes, including the parts that carry prompt text (graph inputs,
// `extra_pnginfo.workflow`, `current_inputs`), so tests can prove none of it leaks.

/** Prompt strings planted in every payload; no emitted event may contain them. */
export const SECRET_POSITIVE = 'a watercolor castle of zqxv-secret-positive at dawn';
export const SECRET_NEGATIVE = 'blurry, zqxv-secret-negative, lowres';
export const SECRETS = [SECRET_POSITIVE, SECRET_NEGATIVE, 'zqxv-secret'] as const;

export function systemStats(over: { comfyui_version?: string; pytorch_version?: string } = {}): Record<string, unknown> {
  return {
    system: {
      os: 'posix',
      ram_total: 67_108_864_000,
      ram_free: 50_123_456_512,
      comfyui_version: over.comfyui_version ?? '0.3.33',
      required_frontend_version: '1.18.9',
      python_version: '3.12.9 (main, Feb 12 2025, 14:50:50) [Clang 19.1.6 ]',
      pytorch_version: over.pytorch_version ?? '2.7.0+cu128',
      embedded_python: false,
      argv: ['main.py', '--listen', '127.0.0.1', '--port', '8188'],
    },
    devices: [
      {
        name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
        type: 'cuda',
        index: 0,
        vram_total: 25_386_352_640,
        vram_free: 23_895_539_712,
        torch_vram_total: 2_147_483_648,
        torch_vram_free: 1_073_741_824,
      },
    ],
  };
}

/** The default SD1.5 workflow (7 nodes) in API format, with the planted prompt texts. */
export function graph(batch = 1): Record<string, unknown> {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 156680208700286,
        steps: 20,
        cfg: 8,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: batch } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: SECRET_POSITIVE, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: SECRET_NEGATIVE, clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
}

function extraData(createTimeMs?: number): Record<string, unknown> {
  return {
    client_id: 'b7a4b9a0e5c64c1f9a0c1d2e3f405162',
    ...(createTimeMs === undefined ? {} : { create_time: createTimeMs }),
    extra_pnginfo: {
      workflow: {
        nodes: [
          { id: 6, type: 'CLIPTextEncode', widgets_values: [SECRET_POSITIVE] },
          { id: 7, type: 'CLIPTextEncode', widgets_values: [SECRET_NEGATIVE] },
        ],
      },
    },
  };
}

/** A `/queue` item: `[number, prompt_id, graph, extra_data, outputs_to_execute]`. */
export function queueItem(n: number, id: string, createTimeMs?: number): unknown[] {
  return [n, id, graph(), extraData(createTimeMs), ['9']];
}

const images = (names: string[], type = 'output'): { filename: string; subfolder: string; type: string }[] =>
  names.map((filename) => ({ filename, subfolder: '', type }));

export type HistoryShape = 'success' | 'cached_rerun' | 'partial_cache' | 'oom' | 'error' | 'interrupted' | 'legacy_2023';

/**
 * One `/history` entry. Times: start at `t0`; success after 4.25 s; OOM after 1.5 s;
 * interrupted after 0.75 s. Node counts: graph 7; cached: none / all 7 / 4 / 3.
 */
export function historyEntry(id: string, shape: HistoryShape, t0 = 1_740_000_000_000): Record<string, unknown> {
  const start = ['execution_start', { prompt_id: id, timestamp: t0 }];
  const cached = (nodes: string[]): unknown[] => ['execution_cached', { nodes, prompt_id: id, timestamp: t0 + 2 }];
  const prompt = [1, id, graph(shape === 'success' ? 2 : 1), extraData(t0 - 3000), ['9']];
  const meta = { '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } };
  switch (shape) {
    case 'success':
      return {
        prompt,
        outputs: { '9': { images: images(['ComfyUI_00001_.png', 'ComfyUI_00002_.png']) } },
        status: { status_str: 'success', completed: true, messages: [start, cached([]), ['execution_success', { prompt_id: id, timestamp: t0 + 4250 }]] },
        meta,
      };
    case 'cached_rerun':
      return {
        prompt,
        outputs: { '9': { images: images(['ComfyUI_00001_.png']) } },
        status: {
          status_str: 'success',
          completed: true,
          messages: [start, cached(['4', '5', '6', '7', '3', '8', '9']), ['execution_success', { prompt_id: id, timestamp: t0 + 10 }]],
        },
        meta,
      };
    case 'partial_cache':
      return {
        prompt,
        outputs: { '9': { images: images(['ComfyUI_00003_.png']) }, '10': { images: images(['ComfyUI_temp_abcd_00001_.png'], 'temp') } },
        status: {
          status_str: 'success',
          completed: true,
          messages: [start, cached(['4', '5', '6', '7']), ['execution_success', { prompt_id: id, timestamp: t0 + 3100 }]],
        },
        meta,
      };
    case 'oom':
      return {
        prompt,
        outputs: {},
        status: {
          status_str: 'error',
          completed: false,
          messages: [
            start,
            cached(['4', '6', '7']),
            [
              'execution_error',
              {
                prompt_id: id,
                node_id: '3',
                node_type: 'KSampler',
                executed: ['4', '5', '6', '7'],
                exception_message:
                  'Allocation on device \nThis error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.',
                exception_type: 'torch.OutOfMemoryError',
                traceback: ['  File "/srv/ComfyUI/execution.py", line 496, in execute\n'],
                current_inputs: { positive: [SECRET_POSITIVE], negative: [SECRET_NEGATIVE] },
                current_outputs: ['4', '5', '6', '7'],
                timestamp: t0 + 1500,
              },
            ],
          ],
        },
        meta: {},
      };
    case 'error':
      return {
        prompt,
        outputs: {},
        status: {
          status_str: 'error',
          completed: false,
          messages: [
            start,
            cached([]),
            [
              'execution_error',
              {
                prompt_id: id,
                node_id: '6',
                node_type: 'CLIPTextEncode',
                executed: ['4'],
                exception_message: `Error while tokenizing '${SECRET_POSITIVE}'`,
                exception_type: 'ValueError',
                traceback: [`ValueError: Error while tokenizing '${SECRET_POSITIVE}'\n`],
                current_inputs: { text: [SECRET_POSITIVE] },
                current_outputs: [],
                timestamp: t0 + 200,
              },
            ],
          ],
        },
        meta: {},
      };
    case 'interrupted':
      return {
        prompt,
        outputs: {},
        status: {
          status_str: 'error',
          completed: false,
          messages: [
            start,
            cached([]),
            ['execution_interrupted', { prompt_id: id, node_id: '3', node_type: 'KSampler', executed: ['4', '5', '6', '7'], timestamp: t0 + 750 }],
          ],
        },
        meta: {},
      };
    case 'legacy_2023':
      // before `status` (PR #2523, 2024-01): prompt and outputs only
      return { prompt: [1, id, graph(), { client_id: 'x' }, ['9']], outputs: { '9': { images: images(['ComfyUI_00042_.png']) } } };
  }
}

/** `datetime.now().isoformat()` as ComfyUI's LogInterceptor stamps writes (local, no zone, µs). */
export function pyIso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** `print(line)` as LogInterceptor sees it: the text and the newline are two writes. */
export function printWrites(lines: readonly string[], t0: number): { t: string; m: string }[] {
  const out: { t: string; m: string }[] = [];
  let t = t0;
  for (const l of lines) {
    out.push({ t: pyIso(t), m: l });
    out.push({ t: pyIso(t), m: '\n' });
    t += 1;
  }
  return out;
}
