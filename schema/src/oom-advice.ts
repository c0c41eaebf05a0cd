// OOM causes as people read them: a short label and what to try, one entry per cause. Typed
// Record<OomCause, ...>, so a cause added to OOM_CAUSES (./events.ts) does not compile until it has
// both. The collector sends the advice with /api/v1/ooms (collector/src/storage/queries/ooms.ts);
// the dashboard labels causes and falls back to the same advice (dashboard/src/features/ooms/advice.ts).
import type { OomCause } from './events.js';

/** Short label of each cause (badges, filters). */
export const OOM_CAUSE_LABELS: Readonly<Record<OomCause, string>> = {
  resolution: 'resolution',
  batch: 'batch size',
  addons: 'add-on models',
  fragmentation: 'fragmentation',
  other_process: 'other process',
  model_too_large: 'model too large',
  unknown: 'unknown',
};

/** What to try for each cause (the wording support agreed on). */
export const OOM_ADVICE: Readonly<Record<OomCause, string>> = {
  resolution: 'Lower the resolution, or tile the VAE decode / use tiled upscaling; otherwise move the workflow to a bigger tier.',
  batch: 'Lower the batch size (the allocation grows with it); run the images sequentially.',
  addons: 'Unload LoRAs / ControlNets / refiner / upscaler models you do not need, or run them in a later pass.',
  fragmentation: 'Set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True (or a max_split_size_mb), or restart the runtime to release reserved memory.',
  other_process: 'Stop the other process holding VRAM on this GPU (see the host page, processes), or pin jobs to a free GPU.',
  model_too_large: 'Use a quantised (fp8/GGUF) or smaller model, enable model offloading, or move to a bigger tier.',
  unknown: 'Open the host at the time of the OOM to see what else was resident; the numbers below show what was requested and free.',
};

function isCause(c: string): c is OomCause {
  return Object.hasOwn(OOM_ADVICE, c);
}

/** Advice for a cause as stored (a string from ClickHouse); a cause this build does not know gets the `unknown` advice. */
export function oomAdviceFor(cause: string): string {
  return OOM_ADVICE[isCause(cause) ? cause : 'unknown'];
}

/** Label for a cause as stored; a cause this build does not know is shown as it is. */
export function oomCauseLabel(cause: string): string {
  return isCause(cause) ? OOM_CAUSE_LABELS[cause] : cause;
}
