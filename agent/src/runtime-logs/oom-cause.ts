// OOM cause classification (docs/design.md "The signals, defined"; docs/research/runtime-logs.md "3.3 OOM events and cause"). Rules are tried in
// order; the first that matches names the cause and its name goes into the event's `cause_rule`.
// Where the message carries no numbers the cause is `unknown`: context alone never decides.
import type { OomCause, RuntimeEventOf, RuntimeName } from '@renderwatch/schema';
import type { OomNumbers } from './torch-oom.js';

const GIB = 1024 ** 3;

/** What the parser knows about the job around the OOM (never guessed: absent when unknown). */
export interface OomContext {
  /** Batch size of the job, when the log printed it. */
  readonly batch?: number;
  /** LoRA / ControlNet / IP-Adapter / refiner models were loaded in the same job. */
  readonly addons?: boolean;
  /** The OOM happened while weights were being moved to the device (traceback or preceding load). */
  readonly duringModelLoad?: boolean;
}

export interface OomRule {
  readonly name: string;
  readonly cause: OomCause;
  readonly test: (n: OomNumbers, ctx: OomContext) => boolean;
}

function unaccounted(n: OomNumbers): number | undefined {
  if (n.total === undefined || n.free === undefined || n.allocated === undefined) return undefined;
  return n.total - n.free - n.allocated - (n.reservedUnallocated ?? 0);
}

/** The rules, in the order they are tried. Exported for docs/tests. */
export const OOM_RULES: readonly OomRule[] = [
  {
    name: 'missing_numbers',
    cause: 'unknown',
    test: (n) => n.requested === undefined || n.total === undefined,
  },
  {
    name: 'request_exceeds_total_with_batch',
    cause: 'batch',
    test: (n, c) => (n.requested ?? 0) > (n.total ?? Infinity) && (c.batch ?? 1) > 1,
  },
  {
    name: 'request_exceeds_total',
    cause: 'resolution',
    test: (n) => (n.requested ?? 0) > (n.total ?? Infinity),
  },
  {
    // The device had room for the request: the numbers do not explain the failure (host RAM,
    // shared memory, stale counters). Saying more would be a guess.
    name: 'free_covers_request',
    cause: 'unknown',
    test: (n) => n.free !== undefined && n.requested !== undefined && n.free >= n.requested,
  },
  {
    name: 'other_processes_reported',
    cause: 'other_process',
    test: (n) => (n.otherProcesses ?? 0) >= GIB,
  },
  {
    name: 'mps_other_allocations_exceed_mps',
    cause: 'other_process',
    test: (n) => n.mpsOther !== undefined && n.allocated !== undefined && n.mpsOther > n.allocated,
  },
  {
    name: 'reserved_unallocated_exceeds_request',
    cause: 'fragmentation',
    test: (n) => n.reservedUnallocated !== undefined && n.requested !== undefined && n.reservedUnallocated >= n.requested,
  },
  {
    // total − free − (allocated + reserved by PyTorch) is memory this PyTorch does not hold.
    name: 'unaccounted_device_memory',
    cause: 'other_process',
    test: (n) => {
      const u = unaccounted(n);
      return u !== undefined && u >= Math.max(GIB, n.requested ?? 0);
    },
  },
  {
    name: 'oom_during_model_load',
    cause: 'model_too_large',
    test: (_n, c) => c.duringModelLoad === true,
  },
  {
    name: 'addons_loaded_in_job',
    cause: 'addons',
    test: (_n, c) => c.addons === true,
  },
  {
    name: 'batch_size_gt_1',
    cause: 'batch',
    test: (_n, c) => (c.batch ?? 1) > 1,
  },
  {
    // One allocation of a quarter of the card is activation-sized (attention/VAE at high resolution).
    name: 'large_single_allocation',
    cause: 'resolution',
    test: (n) => (n.requested ?? 0) >= (n.total ?? Infinity) / 4,
  },
];

export function classifyOom(n: OomNumbers, ctx: OomContext = {}): { cause: OomCause; rule: string } {
  // The parsers build OomNumbers with different sets of fields; one object shape for the rules
  // keeps their property reads monomorphic (absent and undefined read the same).
  const m: OomNumbers = {
    form: n.form,
    requested: n.requested,
    total: n.total,
    free: n.free,
    allocated: n.allocated,
    reservedUnallocated: n.reservedUnallocated,
    otherProcesses: n.otherProcesses,
    mpsOther: n.mpsOther,
    device: n.device,
  };
  for (const r of OOM_RULES) if (r.test(m, ctx)) return { cause: r.cause, rule: r.name };
  return { cause: 'unknown', rule: 'no_rule_matched' };
}

/** Builds the `oom` event: the numbers from the message, the cause and the rule that chose it. */
export function buildOomEvent(
  runtime: RuntimeName,
  n: OomNumbers,
  opts: { ts?: string | undefined; recovered?: boolean; ctx?: OomContext } = {},
): RuntimeEventOf<'oom'> {
  const { cause, rule } = classifyOom(n, opts.ctx);
  const e: RuntimeEventOf<'oom'> = { kind: 'oom', runtime };
  if (opts.ts !== undefined) e.ts = opts.ts;
  if (n.requested !== undefined) e.requested_bytes = n.requested;
  if (n.total !== undefined) e.total_bytes = n.total;
  if (n.free !== undefined) e.free_bytes = n.free;
  if (n.allocated !== undefined) e.allocated_bytes = n.allocated;
  if (n.reservedUnallocated !== undefined) e.reserved_unallocated_bytes = n.reservedUnallocated;
  if (n.otherProcesses !== undefined) e.other_processes_bytes = n.otherProcesses;
  if (n.device !== undefined) e.device = n.device;
  e.recovered = opts.recovered ?? false;
  e.cause = cause;
  e.cause_rule = rule;
  return e;
}
