// Hand-checked events of the runtime-log excerpts added in the December 2026 harvest (rows of each
// runtime's SOURCES.md): what an operator reads in each excerpt, worked out line by line. The
// per-runtime tables of comfyui.test.ts and parser-registry.test.ts cover the older fixtures; the
// three together must name every fixture file (checked there and in harvest-logs.test.ts).
import type { RuntimeEvent, RuntimeName } from '@renderwatch/schema';

export interface HarvestRow {
  readonly file: string;
  /** Events per kind, exactly. */
  readonly counts: Readonly<Record<string, number>>;
  /** Events that must be there (fields compared with `objectContaining`). */
  readonly has: readonly Partial<RuntimeEvent>[];
}

const GIB = 1024 ** 3;
const g = (x: number): number => Math.round(x * GIB);

export const HARVEST: Readonly<Partial<Record<RuntimeName, readonly HarvestRow[]>>> = {
  comfyui: [
    {
      file: 'allocation-on-device-custom-node-memory-stats-2025-12.log',
      counts: { oom: 1 },
      // the truncated cudaMallocAsync text carries no numbers: no cause from the custom node's own memory printout
      has: [{ kind: 'oom', recovered: false, cause: 'unknown', cause_rule: 'missing_numbers' }],
    },
    { file: 'cuda-error-oom-second-run-portable-2026-01.log', counts: { oom: 1 }, has: [{ kind: 'oom', cause: 'unknown', cause_rule: 'missing_numbers' }] },
    {
      file: 'cuda-error-oom-zluda-manager-ts-2025-08.log',
      counts: { oom: 1 },
      has: [{ kind: 'oom', ts: '2025-08-06T23:36:33.684', cause: 'unknown', cause_rule: 'missing_numbers' }],
    },
    {
      file: 'directml-could-not-allocate-tensor-unindented-traceback-2024-12.log',
      counts: { oom: 1, job_end: 1 },
      has: [
        { kind: 'oom', device: 'dml', requested_bytes: 530841600, cause: 'unknown', cause_rule: 'missing_numbers' },
        { kind: 'job_end', ts: '2024-12-22T17:57:20.461112', duration_s: 347.84, outcome: 'oom' },
      ],
    },
    {
      file: 'hip-oom-windows-therock-expandable-segments-2026-01.log',
      counts: { oom: 1 },
      has: [
        {
          kind: 'oom',
          device: 'hip:0',
          requested_bytes: g(8.54),
          total_bytes: g(15.92),
          free_bytes: 0,
          allocated_bytes: g(3.97),
          reserved_unallocated_bytes: g(9.27),
          // 9.27 GiB reserved but unallocated ≥ the 8.54 GiB asked for
          cause: 'fragmentation',
          cause_rule: 'reserved_unallocated_exceeds_request',
        },
      ],
    },
    {
      file: 'host-ram-oom-custom-node-error-root-prefix-2023-11.log',
      counts: { job_end: 2, job_start: 2, oom: 1 },
      has: [
        { kind: 'job_end', duration_s: 1.06, outcome: 'ok' },
        { kind: 'oom', device: 'cpu', requested_bytes: 82463372083200, cause: 'unknown', cause_rule: 'missing_numbers' },
        { kind: 'job_end', duration_s: 0.34, outcome: 'oom' },
      ],
    },
    {
      file: 'interrupted-batch-node-prints-2025-01.log',
      counts: { progress: 2, job_end: 1, job_start: 1 },
      has: [
        { kind: 'progress', step: 8, total_steps: 8, it_per_s: 0.2849 },
        { kind: 'job_end', duration_s: 40.56, outcome: 'ok' },
        { kind: 'progress', step: 3, total_steps: 8 },
      ],
    },
    {
      file: 'interrupted-caption-node-loading-1-new-model-2024-07.log',
      counts: { job_start: 1, model_load: 2, job_end: 1 },
      has: [
        { kind: 'model_load', model: 'CLIPVisionModelProjection', source: 'cache' },
        { kind: 'model_load', model: 'SDXLClipModel', source: 'cache' },
        { kind: 'job_end', duration_s: 54.98, outcome: 'interrupted' },
      ],
    },
    {
      file: 'interrupted-then-prompt-worker-thread-crash-2025-10.log',
      counts: { error: 1 },
      has: [{ kind: 'error', error_type: 'TypeError' }],
    },
    {
      file: 'interrupted-validation-failures-foreign-ts-2025-05.log',
      counts: { progress: 1, job_end: 1, job_start: 1 },
      has: [
        { kind: 'progress', step: 11, total_steps: 12, it_per_s: 1.43 },
        { kind: 'job_end', duration_s: 8.33, outcome: 'interrupted' },
      ],
    },
    {
      file: 'labelled-loaded-no-usable-jobs-across-days-2026-05.log',
      counts: { model_load: 4, job_end: 2, job_start: 2, model_unload: 2, progress: 2 },
      has: [
        { kind: 'job_end', ts: '2026-05-17T20:10:39.761260', duration_s: 111.18, outcome: 'ok' },
        { kind: 'model_load', ts: '2026-05-17T20:11:15.196659', loaded_mb: 1639.41, mode: 'full' },
        { kind: 'model_unload', freed_mb: 781.53 },
        { kind: 'model_load', model: 'AutoencoderKL', source: 'cache', loaded_mb: 159.56, mode: 'full' },
        { kind: 'job_end', ts: '2026-05-17T20:12:07.516476', duration_s: 58.46, outcome: 'ok' },
        { kind: 'job_start', ts: '2026-05-18T17:30:26.867745' },
      ],
    },
    {
      file: 'queued-during-generation-prompt-file-node-info-2025-01.log',
      counts: { model_load: 6, progress: 3, job_end: 2 },
      has: [
        { kind: 'job_end', duration_s: 48.46, outcome: 'ok' },
        { kind: 'job_end', duration_s: 48.02, outcome: 'ok' },
        { kind: 'model_load', model: 'Flux', loaded_mb: 11350.07, mode: 'full' },
      ],
    },
    {
      file: 'startup-0.3.18-two-device-banners-revision-detached-2025-02.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', ts: '2025-02-28T08:26:28.792262', version: '0.3.18' }],
    },
    {
      file: 'startup-0.3.62-manager-version-line-frontend-export-2025-10.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', ts: '2025-10-11T23:55:00.545473', version: 'v0.3.62-25-g5c8e986e' }],
    },
    {
      file: 'startup-2024-03-linux-a10-manager-revision-bracketed-url.log',
      counts: { runtime_start: 1, runtime_ready: 1 },
      has: [
        {
          kind: 'runtime_start',
          ts: '2024-03-17T02:41:20.767899',
          version: '2066 [f2fe635c]',
          extensions: ['ComfyUI-Manager', 'AIGODLIKE-COMFYUI-TRANSLATION', 'ComfyUI-DynamiCrafterWrapper', 'ComfyUI-VideoHelperSuite'],
        },
        { kind: 'runtime_ready', url: 'http://127.0.0.1:8188' },
      ],
    },
    {
      file: 'startup-2025-04-portable-manager-listen-3090.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', ts: '2025-04-10T09:07:56.894', extensions: ['rgthree-comfy', 'comfyui-easy-use', 'ComfyUI-Manager'] }],
    },
    {
      file: 'startup-linux-print-fragments-frontend-export-2025-02.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', ts: '2025-02-26T16:49:26.541985' }],
    },
    {
      file: 'vlm-node-prints-loaded-partially-2025-11.log',
      counts: { job_end: 1, job_start: 1 },
      has: [{ kind: 'job_end', duration_s: 238.19, outcome: 'ok' }],
    },
    { file: 'wan-wrapper-node-timing-model-type-flow-frontend-export-2025-07.log', counts: {}, has: [] },
    {
      file: 'wan-lora-keys-loaded-completely-exponent-usable-2025-07.log',
      counts: { model_load: 4, progress: 2, job_end: 1, job_start: 1 },
      has: [
        // `loaded completely 9.5367431640625e+25 6419.477203369141 True`: 6419 MB loaded, not 25
        { kind: 'model_load', ts: '2025-07-08T01:23:23.453987', model: 'WanTEModel', loaded_mb: 6419.48, mode: 'full' },
        { kind: 'model_load', model: 'WAN21', loaded_mb: 2706.18, mode: 'full' },
        { kind: 'job_end', ts: '2025-07-08T01:25:20.555787', duration_s: 132.11, outcome: 'ok' },
        { kind: 'model_load', ts: '2025-07-08T01:29:07.165958', model: 'WanTEModel', source: 'cache', loaded_mb: 6419.48 },
      ],
    },
    {
      file: 'xpu-attention-oom-retry-legacy-loaded-2025-02.log',
      counts: { model_load: 2, oom: 1 },
      has: [
        { kind: 'model_load', model: 'AutoencoderKL', loaded_mb: 159.56, mode: 'full' },
        { kind: 'oom', recovered: true, cause: 'unknown', cause_rule: 'missing_numbers' },
        { kind: 'model_load', model: 'SD1ClipModel', loaded_mb: 235.84, mode: 'full' },
      ],
    },
    {
      file: 'zluda-level-bracket-prefix-cublas-not-supported-2025.log',
      counts: { model_load: 2, progress: 1, error: 1 },
      has: [
        { kind: 'model_load', loaded_mb: 13494.87, offloaded_mb: 1464.91, mode: 'partial' },
        { kind: 'model_load', model: 'MiniMaxH3', loaded_mb: 1135.44, offloaded_mb: 18860.7, mode: 'partial' },
        // CUBLAS_STATUS_NOT_SUPPORTED is not an allocation failure: an error, not an oom
        { kind: 'error', message: 'CUDA error: <id> when <words> with <id> <num> <id> <num> <words>' },
      ],
    },
    {
      file: 'zluda-cold-job-fetch-registry-interleaved-bar-2025.log',
      counts: { runtime_ready: 1, job_start: 1, model_load: 2, progress: 1 },
      has: [
        { kind: 'runtime_ready', url: 'http://127.0.0.1:8188' },
        { kind: 'model_load', model: 'SD1ClipModel', source: 'disk', loaded_mb: 235.84, mode: 'full' },
        { kind: 'model_load', model: 'BaseModel', source: 'disk', loaded_mb: 1639.41, mode: 'full' },
        { kind: 'progress', step: 0, total_steps: 20 },
      ],
    },
  ],
  a1111: [
    {
      file: 'colab-gdrive-model-loaded-empty-local-url-2023-02.log',
      counts: { model_load: 1 },
      has: [
        {
          kind: 'model_load',
          model: 'deliberate_v11.safetensors',
          model_hash: 'd8691b4d16',
          path: '/content/gdrive/MyDrive/Models/deliberate_v11.safetensors',
          source: 'disk',
          duration_s: 9.9,
        },
      ],
    },
    { file: 'cuda-error-oom-mem-get-info-controlnet-2023-08.log', counts: { oom: 1 }, has: [{ kind: 'oom', cause: 'unknown', cause_rule: 'missing_numbers' }] },
    { file: 'docker-compose-ts-prefix-slow-sdxl-load-2024-09.log', counts: {}, has: [] },
    { file: 'old-2022-batch-error-completing-request-prompt-echo.log', counts: { error: 1 }, has: [{ kind: 'error' }] },
    {
      file: 'weights-loaded-hires-bars-ckpt-switch-2023-03.log',
      counts: { model_load: 1, progress: 8 },
      has: [
        { kind: 'model_load', source: 'disk', duration_s: 6.9 },
        { kind: 'progress', step: 28, total_steps: 28, it_per_s: 4.66 },
      ],
    },
  ],
  forge: [
    {
      file: 'checkpoint-fallback-two-moves-total-progress-2024.log',
      counts: { model_load: 2, progress: 1, job_end: 1 },
      has: [
        // 4897 MB in 2.34 s (2.0 GiB/s): a move from RAM
        { kind: 'model_load', model: 'SDXL', source: 'cache', duration_s: 2.34, loaded_mb: 4897.09 },
        { kind: 'job_end', outcome: 'ok' },
      ],
    },
    {
      file: 'flux-schnell-text-encoder-slow-move-2025-03.log',
      counts: { model_load: 1, model_unload: 1 },
      // 5154.62 MB in 18.93 s = 272 MB/s: not from RAM alone, so no `cache` claim (no source field)
      has: [{ kind: 'model_load', model: 'JointTextEncoder', duration_s: 18.93, loaded_mb: 5154.62, mode: 'full' }],
    },
    { file: 'loading-model-dict-checkpoint-switch-2025.log', counts: { model_unload: 3 }, has: [{ kind: 'model_unload', model: 'IntegratedAutoencoderKL' }] },
    {
      file: 'loading-model-dict-then-model-loaded-neveroom-2024.log',
      counts: { model_load: 1 },
      has: [
        {
          kind: 'model_load',
          model: 'flux1DevHyperNF4Flux1DevBNB_flux1DevHyperNF4.safetensors',
          model_hash: 'a005585e',
          path: 'D:\\Data\\Packages\\Stable Diffusion WebUI Forge\\models\\Stable-diffusion\\flux1DevHyperNF4Flux1DevBNB_flux1DevHyperNF4.safetensors',
          source: 'disk',
          duration_s: 4.6,
        },
      ],
    },
    { file: 'startup-2025-gpu-setting-env-vars-changed.log', counts: { runtime_ready: 1 }, has: [{ kind: 'runtime_ready', startup_s: 14.5 }] },
    {
      file: 'neo-move-on-target-line-page-file-2025-09.log',
      counts: { model_load: 2, model_unload: 2, progress: 1 },
      has: [
        { kind: 'model_load', model: 'JointTextEncoder', duration_s: 77.61, loaded_mb: 9334.77, mode: 'full' },
        { kind: 'model_load', model: 'KModel', duration_s: 213.02, loaded_mb: 16975.37, mode: 'full' },
      ],
    },
    {
      file: 'old-forge-reuse-0-then-1-loaded-models-2024-02.log',
      counts: { runtime_ready: 1, model_load: 3 },
      has: [
        { kind: 'runtime_ready', startup_s: 19.1 },
        { kind: 'model_load', model: 'SDXLClipModel', source: 'cache', duration_s: 0.58, loaded_mb: 2144.35 },
        { kind: 'model_load', source: 'disk', duration_s: 9 },
        { kind: 'model_load', model: 'SDXLClipModel', source: 'resident', duration_s: 0.01, loaded_mb: 0 },
      ],
    },
    {
      file: 'old-forge-sdxl-moved-every-generation-2024-08.log',
      counts: { model_load: 2, progress: 1 },
      has: [{ kind: 'model_load', model: 'SDXL', duration_s: 22.2, loaded_mb: 4897.09 }],
    },
    {
      file: 'startup-f0.0.16-removed-medvram-args-2024.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', version: 'f0.0.16v1.8.0rc-latest-268-gb59deaa3' }],
    },
    {
      file: 'startup-f0.0.17-cuda-stream-reactor-2024.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', version: 'f0.0.17v1.8.0rc-latest-276-g29be1da7' }],
    },
  ],
  sdnext: [
    {
      file: 'load-model-family-time-dict-slow-startup-2025.log',
      counts: { model_load: 1, runtime_ready: 1 },
      has: [
        // `Load model: family=f1 time={'total': 362.16, ...}`: a 6-minute cold load
        { kind: 'model_load', source: 'disk', duration_s: 362.16 },
        { kind: 'runtime_ready', startup_s: 474.44 },
      ],
    },
    {
      file: 'load-model-detect-file-size-wrapped-2025.log',
      counts: { model_load: 1 },
      has: [
        {
          kind: 'model_load',
          model: 'waiNSFWIllustrious_v70',
          model_hash: '04ba0dfcc1',
          source: 'disk',
          path: 'D:\\games\\sdnextt\\sdnext\\models\\Stable-diffusion\\waiNSFWIllustrious_v70.safetensors',
        },
      ],
    },
    {
      file: 'logfile-pipes-xpu-load-model-time-2024-06.log',
      counts: { model_load: 1 },
      has: [
        {
          kind: 'model_load',
          ts: '2024-06-02T12:45:11.503',
          model: 'dreamshaper_8',
          source: 'disk',
          duration_s: 2.77,
          path: 'D:\\Download\\Test\\automatic\\models\\Stable-diffusion\\dreamshaper_8.safetensors',
        },
      ],
    },
    {
      file: 'logfile-tabs-oom-processed-zero-images-2024-11.log',
      counts: { oom: 1, job_end: 1 },
      has: [
        { kind: 'oom', ts: '2024-11-22T21:58:39.196', cause: 'unknown', cause_rule: 'missing_numbers' },
        { kind: 'job_end', ts: '2024-11-22T21:58:39.792', images: 0, outcome: 'oom' },
      ],
    },
    {
      file: 'startup-2025-11-debug-two-version-lines.log',
      counts: { runtime_start: 1 },
      has: [{ kind: 'runtime_start', version: 'updated=2025-11-14 hash=e38a711c6 branch=master' }],
    },
  ],
  invokeai: [
    {
      file: 'error-invoking-session-cuda-launch-timeout-5.8.1-2025-03.log',
      counts: { error: 1 },
      has: [{ kind: 'error', ts: '2025-03-26T09:14:15.726', message: 'CUDA error: <words> out and was <words>' }],
    },
    {
      file: 'model-cache-loaded-flux-ascii-bars-2025-05.log',
      counts: { job_start: 1, model_load: 3, progress: 10 },
      has: [
        { kind: 'job_start', job_id: '3447c858-f0ad-45b1-bff1-b606976b84b7' },
        {
          kind: 'model_load',
          model: 'big-lama.pt',
          path: 'H:\\INVOKE\\models\\.download_cache\\https__github.com_sanster_models_releases_download_add_big_lama_big-lama.pt\\big-lama.pt',
          duration_s: 0.02,
          loaded_mb: 194.77,
          mode: 'full',
        },
        { kind: 'model_load', model: 'a5fe000a-27f0-4ef3-91fd-ef1f597d10f0:transformer', duration_s: 0.02, loaded_mb: 5679.45, mode: 'full' },
        { kind: 'progress', step: 9, total_steps: 26, it_per_s: 0.37037 },
      ],
    },
    {
      file: 'startup-5.5.0-queue-item-checkpoint-shards-2025-01.log',
      counts: { runtime_start: 1, runtime_ready: 1, job_start: 1 },
      has: [
        { kind: 'runtime_start', version: '5.5.0', ts: '2025-01-06T23:32:22.304' },
        { kind: 'runtime_ready', url: 'http://127.0.0.1:9090', ts: '2025-01-06T23:32:22.476' },
        { kind: 'job_start', job_id: '5dc2e6f3-c32a-43d9-93bd-cfcaa338546a' },
      ],
    },
  ],
  wan2gp: [
    {
      file: 'ltxv-startup-hooks-lora-not-found-2025-06.log',
      counts: { runtime_ready: 1, model_load: 1 },
      has: [
        { kind: 'runtime_ready', url: 'http://localhost:7860' },
        { kind: 'model_load', model: 'ltxv_0.9.7_13B_dev_quanto_bf16_int8.safetensors', path: 'ckpts/ltxv_0.9.7_13B_dev_quanto_bf16_int8.safetensors' },
      ],
    },
    {
      file: 'missing-model-exception-error-handler-2025-08.log',
      counts: { error: 1 },
      has: [{ kind: 'error', error_type: 'Exception', message: 'Missing model <id>' }],
    },
    {
      file: 'mmgp-3.5.7-pinned-load-then-file-not-found-2025-08.log',
      counts: { model_load: 1, error: 1 },
      has: [
        { kind: 'model_load', model: 'wan2.1_recammaster_1.3B_bf16.safetensors', source: 'disk' },
        { kind: 'error', error_type: 'FileNotFoundError' },
      ],
    },
    {
      file: 'mmgp-3.7.7-loading-text-encoder-stuck-2026-07.log',
      counts: { model_load: 2 },
      has: [
        { kind: 'model_load', model: 'ltx-2.3-22b-distilled-1.1_diffusion_model_quanto_bf16_int8.safetensors', source: 'disk' },
        { kind: 'model_load', model: 'gemma-3-12b-it-qat-q4_0-unquantized_quanto_bf16_int8.safetensors', source: 'disk' },
      ],
    },
  ],
};
