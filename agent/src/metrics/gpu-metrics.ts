// Per-GPU Prometheus instruments, fed from GpuSnapshot / GpuStatusChange. One series per GPU and
// value; an absent reading removes the series (absent, not zero), and a GPU missing from a sample
// loses all its series so a dead GPU does not keep reporting its last values.
import { CLOCK_EVENT_REASONS, decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import { createCumulativeCounter } from './cumulative-counter.js';

/** Used / installed memory (undefined when either is unknown or the total is 0). */
export function memoryUsedRatio(g: GpuSnapshot): number | undefined {
  return g.memory_used_bytes !== undefined && g.memory_total_bytes !== undefined && g.memory_total_bytes > 0
    ? g.memory_used_bytes / g.memory_total_bytes
    : undefined;
}
import { reasonLabel, xidLabel } from './labels.js';

const GPU_LABELS = ['host', 'gpu_index', 'gpu_uuid', 'gpu_name'] as const;
type GpuLabel = (typeof GPU_LABELS)[number];
type GpuLabels = Record<GpuLabel, string>;

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

function labelsOf(host: string, g: GpuSnapshot): GpuLabels {
  return { host, gpu_index: String(g.index), gpu_uuid: g.uuid ?? '', gpu_name: g.name ?? '' };
}

function activeReasons(g: GpuSnapshot): readonly ClockEventReason[] | undefined {
  if (g.clock_event_reasons_mask !== undefined && Number.isFinite(g.clock_event_reasons_mask)) return decodeClockEventReasons(g.clock_event_reasons_mask);
  return g.clock_event_reasons;
}

export interface GpuMetrics {
  observeGpus(gpus: readonly GpuSnapshot[]): void;
  observeStatus(changes: readonly GpuStatusChange[]): void;
}

export function createGpuMetrics(registry: Registry, host: string): GpuMetrics {
  const gauges = GAUGES.map(([name, help, read]) => ({ gauge: new Gauge<GpuLabel>({ name, help, labelNames: GPU_LABELS, registers: [registry] }), read }));
  const info = new Gauge<GpuLabel | 'driver_version' | 'cuda_version'>({
    name: 'renderwatch_gpu_info',
    help: 'GPU identity; always 1.',
    labelNames: [...GPU_LABELS, 'driver_version', 'cuda_version'],
    registers: [registry],
  });
  const reason = new Gauge<GpuLabel | 'reason'>({
    name: 'renderwatch_gpu_clock_event_reason_active',
    help: '1 while the NVML clock-event (throttle) reason is active, else 0.',
    labelNames: [...GPU_LABELS, 'reason'],
    registers: [registry],
  });
  const energy = createCumulativeCounter(
    registry,
    'renderwatch_gpu_energy_joules_total',
    'Energy the GPU consumed since the driver loaded, joules.',
    GPU_LABELS,
  );
  const ecc = createCumulativeCounter(registry, 'renderwatch_gpu_ecc_errors_total', 'ECC errors the driver counted, by type.', [...GPU_LABELS, 'type']);
  const reasonTime = createCumulativeCounter(
    registry,
    'renderwatch_gpu_clock_event_seconds_total',
    'Time a clock-event (throttle) reason was active, from the driver counters (driver >= 590), seconds.',
    [...GPU_LABELS, 'reason'],
  );
  const xids = new Counter<'host' | 'gpu_index' | 'gpu_uuid' | 'xid'>({
    name: 'renderwatch_gpu_xid_errors_total',
    help: 'XID errors reported by the driver, by XID code.',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'xid'],
    registers: [registry],
  });
  const xidLast = new Gauge<'host' | 'gpu_index' | 'gpu_uuid' | 'xid'>({
    name: 'renderwatch_gpu_xid_last_timestamp_seconds',
    help: 'Unix time of the last XID error, by XID code.',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'xid'],
    registers: [registry],
  });
  const statusChanges = new Counter<'host' | 'gpu_index' | 'gpu_uuid' | 'status'>({
    name: 'renderwatch_gpu_status_changes_total',
    help: 'GPU status changes (xid, lost, recovered, sample_error).',
    labelNames: ['host', 'gpu_index', 'gpu_uuid', 'status'],
    registers: [registry],
  });
  let present = new Map<string, { labels: GpuLabels; extra: { driver_version: string; cuda_version: string } }>();

  function forget(labels: GpuLabels, extra: { driver_version: string; cuda_version: string }): void {
    for (const { gauge } of gauges) gauge.remove(labels);
    info.remove({ ...labels, ...extra });
    energy.remove(labels);
    for (const type of ['corrected', 'uncorrected']) ecc.remove({ ...labels, type });
    for (const r of CLOCK_EVENT_REASONS) {
      reason.remove({ ...labels, reason: r });
      reasonTime.remove({ ...labels, reason: r });
    }
  }

  function observeOne(g: GpuSnapshot, labels: GpuLabels): void {
    for (const { gauge, read } of gauges) {
      const v = read(g);
      if (finite(v)) gauge.set(labels, v);
      else gauge.remove(labels);
    }
    const active = activeReasons(g);
    for (const r of CLOCK_EVENT_REASONS) {
      if (active === undefined) reason.remove({ ...labels, reason: r });
      else reason.set({ ...labels, reason: r }, active.includes(r) ? 1 : 0);
    }
    if (finite(g.energy_joules)) energy.observe(labels, g.energy_joules);
    if (finite(g.ecc_corrected_total)) ecc.observe({ ...labels, type: 'corrected' }, g.ecc_corrected_total);
    if (finite(g.ecc_uncorrected_total)) ecc.observe({ ...labels, type: 'uncorrected' }, g.ecc_uncorrected_total);
    for (const [name, us] of Object.entries(g.clock_event_reason_counters_us ?? {})) {
      const r = reasonLabel(name);
      if (r !== undefined && finite(us)) reasonTime.observe({ ...labels, reason: r }, us / 1e6);
    }
  }

  return {
    observeGpus(gpus) {
      const next: typeof present = new Map();
      for (const g of gpus) {
        const labels = labelsOf(host, g);
        const extra = { driver_version: g.driver_version ?? '', cuda_version: g.cuda_version ?? '' };
        const key = `${labels.gpu_index}\u0000${labels.gpu_uuid}`;
        const before = present.get(key);
        if (
          before !== undefined &&
          (before.labels.gpu_name !== labels.gpu_name ||
            before.extra.driver_version !== extra.driver_version ||
            before.extra.cuda_version !== extra.cuda_version)
        ) {
          forget(before.labels, before.extra);
        }
        observeOne(g, labels);
        info.set({ ...labels, ...extra }, 1);
        next.set(key, { labels, extra });
        present.delete(key);
      }
      for (const gone of present.values()) forget(gone.labels, gone.extra);
      present = next;
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
  };
}
