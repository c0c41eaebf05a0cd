// Physical ranges for every numeric field of the ingest contract, checked once per Export before
// the rows are built. An out-of-range value is rejected on its own: an optional value is dropped
// (stored as NULL, "not measured"), a value a row cannot stand without (a GPU index, a GPU uuid)
// drops that row; the rest of the batch is kept. Each rejection is reported by field and reason
// (collector /metrics). Limits per host and per batch bound what one agent can make the API serve.
// docs/ingest-limits.md is the table of these rules.
import type { ExportRequest, GpuProcess, GpuSample, HostSample, RuntimeEvent, Volume } from '@renderwatch/proto';

export type RejectReason = 'out_of_range' | 'not_finite' | 'too_long' | 'over_limit';

export interface Rejection {
  /** `<table>.<field>`, e.g. `gpu_samples.temperature_celsius` (bounded: one per contract field). */
  field: string;
  reason: RejectReason;
}

/**
 * The per-host limits an operator sets (collector config, defaults there only):
 * COLLECTOR_MAX_GPUS_PER_HOST, COLLECTOR_MAX_PROCESSES_PER_GPU, COLLECTOR_MAX_EXTENSIONS_PER_START.
 */
export interface HostLimits {
  /** Distinct GPUs a host may report, GPU indexes 0..maxGpus-1. */
  readonly maxGpus: number;
  readonly processesPerGpu: number;
  readonly extensionsPerStart: number;
}

/** Per host (one Export carries one host) limits that are not configurable. */
export const FIXED_HOST_LIMITS = {
  volumesPerSample: 64,
  labelsPerHost: 64,
} as const;

/** An inclusive range; `int` also requires a whole number. */
interface Range {
  min: number;
  max: number;
  int?: boolean;
}

const PIB = 2 ** 50;
const DAY_S = 86_400;
const r = (min: number, max: number, int = false): Range => ({ min, max, int });

/** GpuSample fields (proto name → range). */
export const GPU_RANGES: Readonly<Record<string, Range>> = {
  utilizationGpuRatio: r(0, 1.5),
  utilizationMemoryRatio: r(0, 1.5),
  memoryUsedBytes: r(0, PIB, true),
  memoryTotalBytes: r(0, PIB, true),
  memoryReservedBytes: r(0, PIB, true),
  temperatureCelsius: r(-40, 150),
  powerDrawWatts: r(0, 5000),
  powerLimitWatts: r(0, 5000),
  energyJoules: r(0, 1e13),
  smClockMhz: r(0, 10_000, true),
  smClockMaxMhz: r(0, 10_000, true),
  memoryClockMhz: r(0, 20_000, true),
  memoryClockMaxMhz: r(0, 20_000, true),
  fanRatio: r(0, 2),
  clockEventReasonsMask: r(0, Number.MAX_SAFE_INTEGER, true),
  pcieTxBytesPerS: r(0, 1e12, true),
  pcieRxBytesPerS: r(0, 1e12, true),
  eccCorrectedTotal: r(0, 1e15, true),
  eccUncorrectedTotal: r(0, 1e15, true),
  throttleThermalUs: r(0, 1e16, true),
  throttlePowerUs: r(0, 1e16, true),
  intervalMs: r(1, 3_600_000, true),
  // 5 kW for the longest interval (an hour)
  energyDeltaJoules: r(0, 5000 * 3600),
};

export const HOST_RANGES: Readonly<Record<string, Range>> = {
  cpuRatio: r(0, 1.5),
  memoryUsedBytes: r(0, PIB, true),
  memoryTotalBytes: r(0, PIB, true),
  swapUsedBytes: r(0, PIB, true),
  swapTotalBytes: r(0, PIB, true),
  diskReadBytesPerS: r(0, 1e12, true),
  diskWriteBytesPerS: r(0, 1e12, true),
  netRxBytesPerS: r(0, 1e12, true),
  netTxBytesPerS: r(0, 1e12, true),
};

/**
 * Event body fields, by name (the same name means the same quantity in every body). A numeric
 * field not named here (a new column) gets the rule of its suffix, else DEFAULT_EVENT_RANGE.
 */
export const EVENT_RANGES: Readonly<Record<string, Range>> = {
  images: r(0, 100_000, true),
  width: r(0, 65_536, true),
  height: r(0, 65_536, true),
  steps: r(0, 1_000_000, true),
  batch: r(0, 4096, true),
  step: r(0, 1e9, true),
  totalSteps: r(0, 1e9, true),
  epoch: r(0, 1e6, true),
  totalEpochs: r(0, 1e6, true),
  loss: r(-1e6, 1e6),
  itPerS: r(0, 1e6),
  cachedNodes: r(0, 100_000, true),
  executedNodes: r(0, 100_000, true),
  pending: r(0, 1e6, true),
  running: r(0, 1e6, true),
  bytes: r(0, PIB, true),
  bytesPerS: r(0, 1e12),
  plannedJobs: r(0, 1e7, true),
  plannedImages: r(0, 1e8, true),
  lostJobs: r(0, 1e7, true),
};
/** Suffix rules: seconds (a duration: at most 30 days), MB (16 TiB), bytes (1 PiB), ratios. */
const SUFFIX_RANGES: readonly [RegExp, Range][] = [
  [/S$/, r(0, 30 * DAY_S)],
  [/Mb$/, r(0, 16 * 1024 * 1024)],
  [/Bytes$/, r(0, PIB, true)],
  [/Ratio$/, r(0, 1.5)],
];
const DEFAULT_EVENT_RANGE = r(0, 1e9);

/** Longest strings kept; a longer value is rejected (not cut: a cut id would merge two). */
export const STRING_LIMITS = { gpuUuid: 128, gpuName: 256, processName: 256, mount: 1024, eventString: 4096, statusDetail: 4096 } as const;

function eventRange(name: string): Range {
  return EVENT_RANGES[name] ?? SUFFIX_RANGES.find(([re]) => re.test(name))?.[1] ?? DEFAULT_EVENT_RANGE;
}

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function verdict(v: number, range: Range): RejectReason | undefined {
  if (!Number.isFinite(v)) return 'not_finite';
  if (v < range.min || v > range.max || (range.int === true && !Number.isInteger(v))) return 'out_of_range';
  return undefined;
}

type Rules = readonly (readonly [name: string, range: Range, field: string])[];
const rules = (ranges: Readonly<Record<string, Range>>, table: string): Rules =>
  Object.entries(ranges).map(([k, v]) => [k, v, `${table}.${snake(k)}`] as const);
let gpuRules: Rules | undefined;
let hostRules: Rules | undefined;

/** Checks the optional numeric fields of `obj` named in `rules`; drops the bad ones (the hot path: one pass, no allocation when all is well). */
function checkFields(obj: object, list: Rules, out: Rejection[]): void {
  const o = obj as Record<string, unknown>;
  for (const [name, range, field] of list) {
    const v = o[name];
    if (typeof v !== 'number' || (v >= range.min && v <= range.max && (range.int !== true || Number.isInteger(v)))) continue;
    o[name] = undefined;
    out.push({ field, reason: verdict(v, range) ?? 'out_of_range' });
  }
}

function checkProcesses(ps: GpuProcess[], limits: HostLimits, out: Rejection[]): GpuProcess[] {
  if (ps.length > limits.processesPerGpu) out.push({ field: 'gpu_samples.processes', reason: 'over_limit' });
  const kept = ps.slice(0, limits.processesPerGpu);
  for (const p of kept) {
    if (p.name.length > STRING_LIMITS.processName) {
      p.name = '';
      out.push({ field: 'gpu_samples.process_name', reason: 'too_long' });
    }
    if (p.usedMemoryBytes !== undefined && verdict(p.usedMemoryBytes, r(0, PIB, true)) !== undefined) {
      out.push({ field: 'gpu_samples.process_used_memory_bytes', reason: verdict(p.usedMemoryBytes, r(0, PIB, true)) ?? 'out_of_range' });
      p.usedMemoryBytes = undefined;
    }
  }
  return kept;
}

/** Keeps a GPU sample unless its identity is impossible; returns false to drop the row. */
function checkGpu(g: GpuSample, gpus: Set<string>, limits: HostLimits, out: Rejection[]): boolean {
  if (g.index >= limits.maxGpus) {
    out.push({ field: 'gpu_samples.index', reason: 'out_of_range' });
    return false;
  }
  if (g.uuid.length > STRING_LIMITS.gpuUuid) {
    out.push({ field: 'gpu_samples.uuid', reason: 'too_long' });
    return false;
  }
  const id = g.uuid === '' ? `index-${g.index}` : g.uuid;
  if (!gpus.has(id)) {
    if (gpus.size >= limits.maxGpus) {
      out.push({ field: 'gpu_samples.gpus', reason: 'over_limit' });
      return false;
    }
    gpus.add(id);
  }
  if (g.name.length > STRING_LIMITS.gpuName) {
    g.name = '';
    out.push({ field: 'gpu_samples.name', reason: 'too_long' });
  }
  checkFields(g, (gpuRules ??= rules(GPU_RANGES, 'gpu_samples')), out);
  g.processes = checkProcesses(g.processes, limits, out);
  return true;
}

function checkVolumes(vs: Volume[], out: Rejection[]): Volume[] {
  if (vs.length > FIXED_HOST_LIMITS.volumesPerSample) out.push({ field: 'host_samples.volumes', reason: 'over_limit' });
  return vs.slice(0, FIXED_HOST_LIMITS.volumesPerSample).filter((v) => {
    const bad =
      v.mount.length > STRING_LIMITS.mount
        ? 'too_long'
        : (verdict(v.sizeBytes, r(0, 2 ** 60, true)) ?? verdict(v.freeBytes, r(0, 2 ** 60, true)) ?? (v.freeBytes > v.sizeBytes ? 'out_of_range' : undefined));
    if (bad !== undefined) out.push({ field: 'host_samples.volume', reason: bad });
    return bad === undefined;
  });
}

function checkHost(h: HostSample, out: Rejection[]): void {
  checkFields(h, (hostRules ??= rules(HOST_RANGES, 'host_samples')), out);
  h.volumes = checkVolumes(h.volumes, out);
}

/** Event body: every numeric field by its rule, every over-long string rejected. */
function checkEvent(e: RuntimeEvent, limits: HostLimits, out: Rejection[]): boolean {
  if (e.gpuIndex !== undefined && e.gpuIndex >= limits.maxGpus) {
    out.push({ field: 'runtime_events.gpu_index', reason: 'out_of_range' });
    e.gpuIndex = undefined;
  }
  const body = e.body;
  if (body === undefined) return true; // event-columns refuses it with its own message
  const v = body.value as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === 'number') {
      const why = verdict(value, eventRange(name));
      if (why !== undefined) {
        v[name] = undefined;
        out.push({ field: `runtime_events.${snake(name)}`, reason: why });
      }
    } else if (typeof value === 'string' && value.length > STRING_LIMITS.eventString) {
      v[name] = undefined;
      out.push({ field: `runtime_events.${snake(name)}`, reason: 'too_long' });
    } else if (Array.isArray(value) && value.length > limits.extensionsPerStart) {
      v[name] = value.slice(0, limits.extensionsPerStart);
      out.push({ field: `runtime_events.${snake(name)}`, reason: 'over_limit' });
    }
  }
  return true;
}

/**
 * Sanitises a decoded request in place (drops what is out of range, as described above) and
 * returns what it rejected. Deterministic: a re-sent batch is cut the same way (dedup holds).
 */
export function validateRequest(req: ExportRequest, limits: HostLimits): Rejection[] {
  const out: Rejection[] = [];
  const gpus = new Set<string>();
  req.gpuSamples = req.gpuSamples.filter((g) => checkGpu(g, gpus, limits, out));
  for (const h of req.hostSamples) checkHost(h, out);
  req.events = req.events.filter((e) => checkEvent(e, limits, out));
  req.gpuStatus = req.gpuStatus.filter((s) => {
    if (s.gpuIndex >= limits.maxGpus) {
      out.push({ field: 'gpu_status.gpu_index', reason: 'out_of_range' });
      return false;
    }
    if (s.gpuUuid.length > STRING_LIMITS.gpuUuid) {
      out.push({ field: 'gpu_status.gpu_uuid', reason: 'too_long' });
      return false;
    }
    if (s.xid !== undefined && verdict(s.xid, r(0, 65_535, true)) !== undefined) {
      out.push({ field: 'gpu_status.xid', reason: 'out_of_range' });
      s.xid = undefined;
    }
    return true;
  });
  const host = req.host;
  if (host !== undefined && Object.keys(host.labels).length > FIXED_HOST_LIMITS.labelsPerHost) {
    out.push({ field: 'hosts.labels', reason: 'over_limit' });
    host.labels = Object.fromEntries(Object.entries(host.labels).slice(0, FIXED_HOST_LIMITS.labelsPerHost));
  }
  return out;
}
