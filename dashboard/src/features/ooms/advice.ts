// "What to try" per OOM cause. The collector sends advice for the causes in its answer; this table
// is the fallback (and the wording the support team agreed on), so every cause always has a line.
import type { OomAdvice } from '@renderwatch/schema';

export const WHAT_TO_TRY: Record<string, string> = {
  resolution: 'Lower the resolution, or tile the VAE decode / use tiled upscaling; otherwise move the workflow to a bigger tier.',
  batch: 'Lower the batch size (the allocation grows with it); run the images sequentially.',
  addons: 'Unload LoRAs / ControlNets / refiner / upscaler models you do not need, or run them in a later pass.',
  fragmentation: 'Set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True (or a max_split_size_mb), or restart the runtime to release reserved memory.',
  other_process: 'Stop the other process holding VRAM on this GPU (see the host page, processes), or pin jobs to a free GPU.',
  model_too_large: 'Use a quantised (fp8/GGUF) or smaller model, enable model offloading, or move to a bigger tier.',
  unknown: 'Open the host at the time of the OOM to see what else was resident; the numbers below show what was requested and free.',
};

export function adviceFor(cause: string, fromApi: OomAdvice[]): string {
  return fromApi.find((a) => a.cause === cause)?.what_to_try ?? WHAT_TO_TRY[cause] ?? WHAT_TO_TRY['unknown'] ?? '';
}

export const CAUSE_TEXT: Record<string, string> = {
  resolution: 'resolution',
  batch: 'batch size',
  addons: 'add-on models',
  fragmentation: 'fragmentation',
  other_process: 'other process',
  model_too_large: 'model too large',
  unknown: 'unknown',
};
