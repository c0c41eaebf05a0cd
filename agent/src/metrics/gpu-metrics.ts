// Per-GPU Prometheus families, fed from GpuSnapshot / GpuStatusChange. The per-sample families are
// kept as plain state and rendered to exposition bytes at most once per sample and format: each
// GPU keeps the start of each of its lines (`family{labels} `) and a render writes those and the
// numbers into one reused buffer (text-family.ts ByteWriter), so a sample costs no per-line
// strings and a scrape hands the bytes out as they are. One series per GPU and value; an absent
// reading leaves the series out (absent, not zero), and a GPU missing from a sample loses all its
// series so a dead GPU does not keep reporting its last values. The rare event counters (XIDs,
// status changes) are instruments of the registry (text-registry.ts).
import { CLOCK_EVENT_REASON_BITS, CLOCK_EVENT_REASONS, encodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { reasonLabel, xidLabel } from './labels.js';
import { ByteWriter, familyHeader, labelValue, type TextFamilyType } from './text-family.js';
import { TextCounter, TextGauge, type TextRegistry } from './text-registry.js';

/** Used / installed memory (undefined when either is unknown or the total is 0). */
export function memoryUsedRatio(g: GpuSnapshot): number | undefined {
  return g.memory_used_bytes !== undefined && g.memory_total_bytes !== undefined && g.memory_total_bytes > 0
    ? g.memory_used_bytes / g.memory_total_bytes
    : undefined;
}

/** Gauges read straight off a snapshot: [name, help, reader]. Units are base units (bytes, hertz, ratio). */
const MHZ = 1_000_000;
const GAUGES: readonly [string, string, (g: GpuSnapshot) => number | undefined][] = [
  ['renderwatch_gpu_utilization_ratio', 'Share of time the GPU was executing kernels (0-1).', (g) => g.utilization_gpu_ratio],
  // Same meaning as OTLP's hw.gpu.memory.utilization (semantic conventions): the fraction of memory in use.
  ['renderwatch_gpu_memory_utilization_ratio', 'Fraction of GPU memory in use, used / total (0-1).', (g) => memoryUsedRatio(g)],
  ['renderwatch_gpu_memory_busy_ratio', 'Share of time GPU memory was being read or written (0-1).', (g) => g.utilization_memory_ratio],
  ['renderwatch_gpu_memory_used_bytes', 'GPU memory in use, bytes.', (g) => g.memory_used_bytes],
  ['renderwatch_gpu_memory_total_bytes', 'GPU memory installed, bytes.', (g) => g.memory_total_bytes],
  ['renderwatch_gpu_memory_reserved_bytes', 'GPU memory reserved by the driver, bytes.', (g) => g.memory_reserved_bytes],
  ['renderwatch_gpu_temperature_celsius', 'GPU core temperature, degrees Celsius.', (g) => g.temperature_celsius],
  ['renderwatch_gpu_power_draw_watts', 'GPU power draw, watts.', (g) => g.power_draw_watts],
  ['renderwatch_gpu_power_limit_watts', 'GPU enforced power limit, watts.', (g) => g.power_limit_watts],
  ['renderwatch_gpu_sm_clock_hertz', 'SM clock, hertz.', (g) => scale(g.sm_clock_mhz, MHZ)],
  ['renderwatch_gpu_sm_clock_max_hertz', 'Maximum SM clock, hertz.', (g) => scale(g.sm_clock_max_mhz, MHZ)],
  ['renderwatch_gpu_memory_clock_hertz', 'Memory clock, hertz.', (g) => scale(g.memory_clock_mhz, MHZ)],
  ['renderwatch_gpu_memory_clock_max_hertz', 'Maximum memory clock, hertz.', (g) => scale(g.memory_clock_max_mhz, MHZ)],
  ['renderwatch_gpu_fan_ratio', 'Fan speed as a share of its maximum (0-1).', (g) => g.fan_ratio],
  ['renderwatch_gpu_pcie_transmit_bytes_per_second', 'PCIe transmit throughput, bytes per second.', (g) => g.pcie_tx_bytes_per_s],
  ['renderwatch_gpu_pcie_receive_bytes_per_second', 'PCIe receive throughput, bytes per second.', (g) => g.pcie_rx_bytes_per_s],
  ['renderwatch_gpu_processes', 'Compute processes holding GPU memory.', (g) => g.processes?.length],
  ['renderwatch_gpu_mig_enabled', '1 when MIG mode is enabled on the GPU.', (g) => (g.mig_enabled === undefined ? undefined : Number(g.mig_enabled))],
];

function scale(v: number | undefined, by: number): number | undefined {
  return v === undefined ? undefined : v * by;
}

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

/** The active clock-event reasons as the NVML bitmask (kept as a number: no reason list per GPU and sample). */
function activeMask(g: GpuSnapshot): number | undefined {
  const mask = g.clock_event_reasons_mask;
  if (mask !== undefined && Number.isFinite(mask)) return mask;
  return g.clock_event_reasons === undefined ? undefined : encodeClockEventReasons(g.clock_event_reasons);
}

/** Each reason's bit, in CLOCK_EVENT_REASONS order (the order the lines are written in). */
const REASON_BITS: readonly number[] = CLOCK_EVENT_REASONS.map((r) => CLOCK_EVENT_REASON_BITS[r]);

/** [name, type, help] of the per-sample families after the GAUGES, in the order they are rendered. */
const INFO: readonly [string, TextFamilyType, string] = ['renderwatch_gpu_info', 'gauge', 'GPU identity; always 1.'];
const REASON: readonly [string, TextFamilyType, string] = [
  'renderwatch_gpu_clock_event_reason_active',
  'gauge',
  '1 while the NVML clock-event (throttle) reason is active, else 0.',
];
const ENERGY: readonly [string, TextFamilyType, string] = [
  'renderwatch_gpu_energy_joules_total',
  'counter',
  'Energy the GPU consumed since the driver loaded, joules.',
];
const ECC: readonly [string, TextFamilyType, string] = ['renderwatch_gpu_ecc_errors_total', 'counter', 'ECC errors the driver counted, by type.'];
const REASON_TIME: readonly [string, TextFamilyType, string] = [
  'renderwatch_gpu_clock_event_seconds_total',
  'counter',
  'Time a clock-event (throttle) reason was active, from the driver counters (driver >= 590), seconds.',
];

/** Every per-sample family name (the docs check; the event counters are in the registry). */
export const GPU_SAMPLE_FAMILIES: readonly string[] = [...GAUGES.map(([n]) => n), INFO[0], REASON[0], ENERGY[0], ECC[0], REASON_TIME[0]];

/** One GPU's state: its rendered label set, the start of each of its lines, and the latest readings. Reused from sample to sample. */
interface GpuState {
  labels: string;
  /** The whole renderwatch_gpu_info line. */
  infoLine: string;
  name: string;
  driver: string;
  cuda: string;
  /** `<family>{<labels>} ` of each gauge, then of each reason (active, seconds), energy and ECC. */
  gaugeHead: readonly string[];
  activeHead: readonly string[];
  secondsHead: readonly string[];
  energyHead: string;
  eccCorrectedHead: string;
  eccUncorrectedHead: string;
  values: (number | undefined)[];
  /** Active clock-event reasons (bitmask), undefined when the sample does not say. */
  active: number | undefined;
  /**
   * Driver totals (energy, ECC, throttle time): the counter is the driver's own running total, so a
   * smaller total (driver reload, GPU reset) restarts the series from it, as a counter reset should;
   * an absent or negative reading keeps the last total.
   */
  energy: number | undefined;
  eccCorrected: number | undefined;
  eccUncorrected: number | undefined;
  reasonS: Map<ClockEventReason, number>;
}

function newState(host: string, g: GpuSnapshot): GpuState {
  const name = g.name ?? '';
  const driver = g.driver_version ?? '';
  const cuda = g.cuda_version ?? '';
  const labels = `host="${labelValue(host)}",gpu_index="${g.index}",gpu_uuid="${labelValue(g.uuid ?? '')}",gpu_name="${labelValue(name)}"`;
  return {
    labels,
    infoLine: `${INFO[0]}{${labels},driver_version="${labelValue(driver)}",cuda_version="${labelValue(cuda)}"} 1\n`,
    name,
    driver,
    cuda,
    gaugeHead: GAUGES.map(([family]) => `${family}{${labels}} `),
    activeHead: CLOCK_EVENT_REASONS.map((r) => `${REASON[0]}{${labels},reason="${r}"} `),
    secondsHead: CLOCK_EVENT_REASONS.map((r) => `${REASON_TIME[0]}{${labels},reason="${r}"} `),
    energyHead: `${ENERGY[0]}{${labels}} `,
    eccCorrectedHead: `${ECC[0]}{${labels},type="corrected"} `,
    eccUncorrectedHead: `${ECC[0]}{${labels},type="uncorrected"} `,
    values: GAUGES.map(() => undefined),
    active: undefined,
    energy: undefined,
    eccCorrected: undefined,
    eccUncorrected: undefined,
    reasonS: new Map(),
  };
}

const total = (v: number | undefined, prev: number | undefined): number | undefined => (finite(v) && v >= 0 ? v : prev);

function update(s: GpuState, g: GpuSnapshot): void {
  for (let i = 0; i < GAUGES.length; i++) {
    const v = GAUGES[i]?.[2](g);
    s.values[i] = finite(v) ? v : undefined;
  }
  s.active = activeMask(g);
  s.energy = total(g.energy_joules, s.energy);
  s.eccCorrected = total(g.ecc_corrected_total, s.eccCorrected);
  s.eccUncorrected = total(g.ecc_uncorrected_total, s.eccUncorrected);
  const counters = g.clock_event_reason_counters_us;
  if (counters !== undefined) {
    for (const key in counters) {
      const r = reasonLabel(key);
      const us = (counters as Record<string, number | undefined>)[key];
      if (r !== undefined && finite(us) && us >= 0) s.reasonS.set(r, us / 1e6);
    }
  }
}

/** The HELP/TYPE lines of every per-sample family in render order, per format (index 0 text, 1 OpenMetrics). */
const HEADERS: readonly (readonly string[])[] = [false, true].map((open) => [
  ...GAUGES.map(([name, help]) => familyHeader(name, 'gauge', help, open)),
  ...[INFO, REASON, ENERGY, ECC, REASON_TIME].map(([name, type, help]) => familyHeader(name, type, help, open)),
]);
const NL = 10;

function line(w: ByteWriter, head: string, v: number): void {
  w.str(head);
  w.num(v);
  w.byte(NL);
}

// Indexed loops: under the daemon's --no-opt a for-of allocates an iterator and a result per step.
function render(states: readonly GpuState[], open: boolean, w: ByteWriter): Buffer {
  const head = HEADERS[open ? 1 : 0] ?? [];
  const n = states.length;
  const reasons = CLOCK_EVENT_REASONS.length;
  let h = 0;
  for (let i = 0; i < GAUGES.length; i++) {
    w.str(head[h++] ?? '');
    for (let k = 0; k < n; k++) {
      const s = states[k] as GpuState;
      const v = s.values[i];
      if (v !== undefined) line(w, s.gaugeHead[i] ?? '', v);
    }
  }
  w.str(head[h++] ?? '');
  for (let k = 0; k < n; k++) w.str((states[k] as GpuState).infoLine);
  w.str(head[h++] ?? '');
  for (let k = 0; k < n; k++) {
    const s = states[k] as GpuState;
    if (s.active === undefined) continue;
    for (let r = 0; r < reasons; r++) line(w, s.activeHead[r] ?? '', (s.active & (REASON_BITS[r] ?? 0)) !== 0 ? 1 : 0);
  }
  w.str(head[h++] ?? '');
  for (let k = 0; k < n; k++) {
    const s = states[k] as GpuState;
    if (s.energy !== undefined) line(w, s.energyHead, s.energy);
  }
  w.str(head[h++] ?? '');
  for (let k = 0; k < n; k++) {
    const s = states[k] as GpuState;
    if (s.eccCorrected !== undefined) line(w, s.eccCorrectedHead, s.eccCorrected);
    if (s.eccUncorrected !== undefined) line(w, s.eccUncorrectedHead, s.eccUncorrected);
  }
  w.str(head[h++] ?? '');
  for (let k = 0; k < n; k++) {
    const s = states[k] as GpuState;
    if (s.reasonS.size === 0) continue;
    for (let r = 0; r < reasons; r++) {
      const v = s.reasonS.get(CLOCK_EVENT_REASONS[r] as ClockEventReason);
      if (v !== undefined) line(w, s.secondsHead[r] ?? '', v);
    }
  }
  return w.take();
}

export interface GpuMetrics {
  observeGpus(gpus: readonly GpuSnapshot[]): void;
  observeStatus(changes: readonly GpuStatusChange[]): void;
  /** The per-sample families as exposition bytes (OpenMetrics lines when true), rendered at most once per sample and format. */
  bytes(openMetrics: boolean): Buffer;
}

export function createGpuMetrics(registry: TextRegistry, host: string): GpuMetrics {
  const xids = new TextCounter<'host' | 'gpu_index' | 'gpu_uuid' | 'xid'>({
    name: 'renderwatch_gpu_xid_errors_total',
    help: 'XID errors reported by the driver, by XID code.',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'xid'],
    registers: [registry],
  });
  const xidLast = new TextGauge<'host' | 'gpu_index' | 'gpu_uuid' | 'xid'>({
    name: 'renderwatch_gpu_xid_last_timestamp_seconds',
    help: 'Unix time of the last XID error, by XID code.',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'xid'],
    registers: [registry],
  });
  const statusChanges = new TextCounter<'host' | 'gpu_index' | 'gpu_uuid' | 'status'>({
    name: 'renderwatch_gpu_status_changes_total',
    help: 'GPU status changes (xid, lost, recovered, sample_error).',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'status'],
    registers: [registry],
  });
  let present = new Map<string, GpuState>();
  let spare = new Map<string, GpuState>();
  let states: GpuState[] = [];
  const cache: { text?: Buffer; open?: Buffer } = {};
  const writer = new ByteWriter();

  return {
    observeGpus(gpus) {
      const next = spare;
      next.clear();
      states.length = 0;
      for (const g of gpus) {
        const key = `${g.index}\u0000${g.uuid ?? ''}`;
        let s = present.get(key);
        // A new identity (name, driver or CUDA version changed) is a new set of series: the old ones go.
        if (s === undefined || s.name !== (g.name ?? '') || s.driver !== (g.driver_version ?? '') || s.cuda !== (g.cuda_version ?? '')) s = newState(host, g);
        update(s, g);
        if (!next.has(key)) states.push(s);
        next.set(key, s);
      }
      spare = present;
      present = next;
      cache.text = undefined;
      cache.open = undefined;
    },
    observeStatus(changes) {
      for (const c of changes) {
        const base = { host, gpu_index: String(c.gpu_index), gpu_uuid: c.gpu_uuid };
        statusChanges.inc({ ...base, status: c.status });
        if (c.status === 'xid') {
          const xid = xidLabel(c.xid);
          xids.inc({ ...base, xid });
          xidLast.set({ ...base, xid }, c.ts_unix_ms / 1000);
        }
      }
    },
    bytes(openMetrics) {
      if (openMetrics) return (cache.open ??= render(states, true, writer));
      return (cache.text ??= render(states, false, writer));
    },
  };
}
