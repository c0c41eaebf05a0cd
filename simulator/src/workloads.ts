// Job shapes of the simulated fleet: what studios run (docs/design.md), with VRAM needs and speeds of
// the order users report for SDXL, Flux and Wan 2.2 (research/runtime-logs.md).
export interface Workload {
  family: 'sdxl' | 'flux' | 'wan';
  model: string;
  width: number;
  height: number;
  steps: number;
  /** VRAM the job needs at batch 1, bytes; grows by `per_batch_bytes` per extra image. */
  base_bytes: number;
  per_batch_bytes: number;
  /** Seconds per image on an H100-class GPU; slower cards scale it by their speed factor. */
  seconds_per_image: number;
  max_batch: number;
}

const GiB = 1024 ** 3;

export const WORKLOADS: readonly Workload[] = [
  {
    family: 'sdxl',
    model: 'sd_xl_base_1.0.safetensors',
    width: 1024,
    height: 1024,
    steps: 30,
    base_bytes: 8.5 * GiB,
    per_batch_bytes: 1.6 * GiB,
    seconds_per_image: 3,
    max_batch: 4,
  },
  {
    family: 'flux',
    model: 'flux1-dev-fp8.safetensors',
    width: 1024,
    height: 1024,
    steps: 28,
    base_bytes: 17 * GiB,
    per_batch_bytes: 3 * GiB,
    seconds_per_image: 9,
    max_batch: 2,
  },
  {
    family: 'wan',
    model: 'wan2.2_t2v_14B_fp8_scaled.safetensors',
    width: 832,
    height: 480,
    steps: 20,
    base_bytes: 38 * GiB,
    per_batch_bytes: 0,
    seconds_per_image: 140,
    max_batch: 1,
  },
];
