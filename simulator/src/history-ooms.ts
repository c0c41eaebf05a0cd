// OOM events of the demo history, one per cause, with numbers that the agent's rule table
// (agent/src/runtime-logs/oom-cause.ts, OOM_RULES) classifies as that cause — the same rule names
// the agent would put in `cause_rule`.
import type { OomCause, RuntimeEventOf, RuntimeName } from '@renderwatch/schema';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface OomShape {
  cause: OomCause;
  rule: string;
}

export const OOM_SHAPES: readonly OomShape[] = [
  { cause: 'resolution', rule: 'request_exceeds_total' },
  { cause: 'batch', rule: 'request_exceeds_total_with_batch' },
  { cause: 'addons', rule: 'addons_loaded_in_job' },
  { cause: 'fragmentation', rule: 'reserved_unallocated_exceeds_request' },
  { cause: 'other_process', rule: 'other_processes_reported' },
  { cause: 'model_too_large', rule: 'oom_during_model_load' },
  { cause: 'unknown', rule: 'free_covers_request' },
];

/** The oom event of `cause` on a card of `total` bytes (numbers consistent with the rule that names it). */
export function oomEvent(runtime: RuntimeName, cause: OomCause, total: number, gpuIndex: number): RuntimeEventOf<'oom'> {
  const shape = OOM_SHAPES.find((s) => s.cause === cause) ?? { cause: 'unknown', rule: 'free_covers_request' };
  const allocated = Math.round(total * 0.86);
  const base = { kind: 'oom' as const, runtime, total_bytes: total, device: `cuda:${gpuIndex}`, recovered: false, cause: shape.cause, cause_rule: shape.rule };
  switch (cause) {
    case 'resolution':
    case 'batch':
      // one allocation larger than the whole card (VAE decode at 2048², or a batch of 8)
      return { ...base, requested_bytes: Math.round(total * 1.18), allocated_bytes: allocated, free_bytes: 310 * MiB, reserved_unallocated_bytes: 90 * MiB };
    case 'fragmentation':
      return {
        ...base,
        requested_bytes: 640 * MiB,
        allocated_bytes: Math.round(total * 0.7),
        free_bytes: 210 * MiB,
        reserved_unallocated_bytes: Math.max(900 * MiB, total - Math.round(total * 0.7) - 210 * MiB - 200 * MiB),
      };
    case 'other_process':
      return {
        ...base,
        requested_bytes: 1200 * MiB,
        allocated_bytes: Math.round(total * 0.55),
        free_bytes: 180 * MiB,
        reserved_unallocated_bytes: 60 * MiB,
        other_processes_bytes: 9 * GiB,
      };
    case 'unknown':
      return { ...base, requested_bytes: 256 * MiB, allocated_bytes: allocated, free_bytes: 700 * MiB, reserved_unallocated_bytes: 40 * MiB };
    default: {
      // addons / model_too_large: the numbers alone do not decide (free < request, little unaccounted)
      const requested = 1500 * MiB;
      const free = 220 * MiB;
      const reserved = 120 * MiB;
      return {
        ...base,
        requested_bytes: requested,
        free_bytes: free,
        reserved_unallocated_bytes: reserved,
        allocated_bytes: total - free - reserved - 300 * MiB,
      };
    }
  }
}
