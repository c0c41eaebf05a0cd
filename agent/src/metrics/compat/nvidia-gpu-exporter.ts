// nvidia_gpu_exporter compatible families (AGENT_METRICS_COMPAT=nvidia_gpu_exporter): the
// `nvidia_smi_*` names, units and labels its stock dashboards read
// (agent/test/fixtures/peers/nvidia_gpu_exporter/METRICS.md): per-GPU series labelled by `uuid`
// (the UUID without `GPU-`, lower case, as that exporter writes it), identity on
// `nvidia_smi_gpu_info`, XID counters, energy, PCIe, processes, MIG inventory and, where NVML has
// GPM (Hopper and later), each MIG GPU instance's activity.
import { CLOCK_EVENT_REASONS, decodeClockEventReasons, type ClockEventReason } from '@renderwatch/schema';
import type { GpmReadings, GpuSnapshot } from '../../sampling/sampler.js';
import { FamilySet } from './exposition.js';

const MHZ = 1_000_000;

type Read = (g: GpuSnapshot) => number | undefined;
const hz = (mhz: number | undefined): number | undefined => (mhz === undefined ? undefined : mhz * MHZ);
const bool = (v: boolean | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** [name, HELP (the nvidia-smi query field and its unit, as that exporter writes it), reader]. */
const GAUGES: readonly (readonly [string, string, Read])[] = [
  ['nvidia_smi_index', 'index', (g) => g.index],
  ['nvidia_smi_utilization_gpu_ratio', 'utilization.gpu [%]', (g) => g.utilization_gpu_ratio],
  ['nvidia_smi_utilization_memory_ratio', 'utilization.memory [%]', (g) => g.utilization_memory_ratio],
  ['nvidia_smi_memory_total_bytes', 'memory.total [MiB]', (g) => g.memory_total_bytes],
  ['nvidia_smi_memory_used_bytes', 'memory.used [MiB]', (g) => g.memory_used_bytes],
  ['nvidia_smi_memory_reserved_bytes', 'memory.reserved [MiB]', (g) => g.memory_reserved_bytes],
  ['nvidia_smi_memory_free_bytes', 'memory.free [MiB]', (g) => memoryFree(g)],
  ['nvidia_smi_temperature_gpu', 'temperature.gpu', (g) => g.temperature_celsius],
  ['nvidia_smi_temperature_memory', 'temperature.memory', (g) => g.peer?.memory_temperature_celsius],
  ['nvidia_smi_power_draw_watts', 'power.draw [W]', (g) => g.power_draw_watts],
  ['nvidia_smi_enforced_power_limit_watts', 'enforced.power.limit [W]', (g) => g.power_limit_watts],
  ['nvidia_smi_fan_speed_ratio', 'fan.speed [%]', (g) => g.fan_ratio],
  ['nvidia_smi_pstate', 'pstate', (g) => g.peer?.pstate],
  ['nvidia_smi_compute_mode', 'compute_mode', (g) => g.peer?.compute_mode],
  ['nvidia_smi_gpu_recovery_action', 'gpu_recovery_action', (g) => g.peer?.recovery_action],
  ['nvidia_smi_fabric_state', 'fabric.state', (g) => g.peer?.fabric_state],
  ['nvidia_smi_clocks_current_graphics_clock_hz', 'clocks.current.graphics [MHz]', (g) => hz(g.peer?.graphics_clock_mhz)],
  ['nvidia_smi_clocks_current_sm_clock_hz', 'clocks.current.sm [MHz]', (g) => hz(g.sm_clock_mhz)],
  ['nvidia_smi_clocks_current_memory_clock_hz', 'clocks.current.memory [MHz]', (g) => hz(g.memory_clock_mhz)],
  ['nvidia_smi_clocks_current_video_clock_hz', 'clocks.current.video [MHz]', (g) => hz(g.peer?.video_clock_mhz)],
  ['nvidia_smi_clocks_max_graphics_clock_hz', 'clocks.max.graphics [MHz]', (g) => hz(g.peer?.graphics_clock_max_mhz)],
  ['nvidia_smi_clocks_max_sm_clock_hz', 'clocks.max.sm [MHz]', (g) => hz(g.sm_clock_max_mhz)],
  ['nvidia_smi_clocks_max_memory_clock_hz', 'clocks.max.memory [MHz]', (g) => hz(g.memory_clock_max_mhz)],
  ['nvidia_smi_ecc_errors_corrected_volatile_total', 'ecc.errors.corrected.volatile.total', (g) => g.ecc_corrected_total],
  ['nvidia_smi_ecc_errors_uncorrected_volatile_total', 'ecc.errors.uncorrected.volatile.total', (g) => g.ecc_uncorrected_total],
  ['nvidia_smi_ecc_errors_corrected_aggregate_total', 'ecc.errors.corrected.aggregate.total', (g) => g.peer?.ecc_corrected_aggregate_total],
  ['nvidia_smi_ecc_errors_uncorrected_aggregate_total', 'ecc.errors.uncorrected.aggregate.total', (g) => g.peer?.ecc_uncorrected_aggregate_total],
  ['nvidia_smi_remapped_rows_correctable', 'remapped_rows.correctable', (g) => g.peer?.remapped_rows_correctable],
  ['nvidia_smi_remapped_rows_uncorrectable', 'remapped_rows.uncorrectable', (g) => g.peer?.remapped_rows_uncorrectable],
  ['nvidia_smi_remapped_rows_pending', 'remapped_rows.pending', (g) => bool(g.peer?.remapped_rows_pending)],
  ['nvidia_smi_remapped_rows_failure', 'remapped_rows.failure', (g) => bool(g.peer?.remapped_rows_failure)],
  ['nvidia_smi_mig_mode_current', 'mig.mode.current', (g) => bool(g.mig_enabled)],
  ['nvidia_smi_pcie_throughput_tx_bytes_per_second', 'PCIe bytes transmitted per second (NVML, 20 ms window)', (g) => g.pcie_tx_bytes_per_s],
  ['nvidia_smi_pcie_throughput_rx_bytes_per_second', 'PCIe bytes received per second (NVML, 20 ms window)', (g) => g.pcie_rx_bytes_per_s],
];

/** Per-GPU-instance GPM families: [name, HELP, reading]. */
const MIG_GPM: readonly (readonly [string, string, keyof GpmReadings])[] = [
  ['nvidia_smi_mig_graphics_activity_ratio', 'Graphics engine activity of the GPU instance (GPM).', 'graphics_activity_ratio'],
  ['nvidia_smi_mig_sm_activity_ratio', 'SM activity of the GPU instance (GPM).', 'sm_activity_ratio'],
  ['nvidia_smi_mig_sm_occupancy_ratio', 'SM occupancy of the GPU instance (GPM).', 'sm_occupancy_ratio'],
  ['nvidia_smi_mig_tensor_activity_ratio', 'Tensor pipe activity of the GPU instance (GPM).', 'tensor_activity_ratio'],
  ['nvidia_smi_mig_pcie_throughput_tx_bytes_per_second', 'PCIe bytes transmitted per second by the GPU instance (GPM).', 'pcie_tx_bytes_per_s'],
  ['nvidia_smi_mig_pcie_throughput_rx_bytes_per_second', 'PCIe bytes received per second by the GPU instance (GPM).', 'pcie_rx_bytes_per_s'],
];

/** nvidia-smi has no query field for display_clock_setting, so that exporter has no series for it. */
const REASONS = CLOCK_EVENT_REASONS.filter((r) => r !== 'display_clock_setting');

function memoryFree(g: Pick<GpuSnapshot, 'memory_total_bytes' | 'memory_used_bytes' | 'memory_reserved_bytes'>): number | undefined {
  if (g.memory_total_bytes === undefined || g.memory_used_bytes === undefined) return undefined;
  return Math.max(0, g.memory_total_bytes - g.memory_used_bytes - (g.memory_reserved_bytes ?? 0));
}

/** `GPU-1a2B…` → `1a2b…`: that exporter's uuid label. */
export function exporterUuid(uuid: string | undefined): string {
  return (uuid ?? '').toLowerCase().replace(/^gpu-/, '');
}

function active(g: GpuSnapshot): readonly ClockEventReason[] | undefined {
  if (g.clock_event_reasons_mask !== undefined && Number.isFinite(g.clock_event_reasons_mask)) return decodeClockEventReasons(g.clock_event_reasons_mask);
  return g.clock_event_reasons;
}

export interface XidSeries {
  uuid: string;
  xid: string;
  count: number;
  lastUnixS: number;
}

export interface NvidiaGpuExporterState {
  gpus: readonly GpuSnapshot[];
  xids: readonly XidSeries[];
  /** Unix seconds of the sample the GPUs come from. */
  sampledAtS: number;
}

export function nvidiaGpuExporterFamilies(s: NvidiaGpuExporterState): FamilySet {
  const set = new FamilySet();
  set.declare('nvidia_smi_gpu_info', 'gauge', "A metric with a constant '1' value labeled by gpu uuid, name, driver_version, pci_bus_id, index, cuda_version.");
  for (const [name, help] of GAUGES) set.declare(name, 'gauge', help);
  for (const r of REASONS) set.declare(`nvidia_smi_clocks_event_reasons_${r}`, 'gauge', `clocks_event_reasons.${r}`);
  set.declare('nvidia_smi_energy_joules_total', 'counter', 'Total energy consumed by the GPU in joules since the driver was last loaded.');
  set.declare('nvidia_smi_xid_errors_total', 'counter', 'XID error events observed since the exporter started.');
  set.declare('nvidia_smi_xid_last_timestamp_seconds', 'gauge', 'Unix time the most recent XID event was received.');
  set.declare('nvidia_smi_compute_apps', 'gauge', 'Number of processes with a compute context on the GPU.');
  set.declare(
    'nvidia_smi_compute_app_info',
    'gauge',
    "A metric with a constant '1' value labeled by the identity of a process with a compute context on a GPU.",
  );
  set.declare('nvidia_smi_compute_app_used_memory_bytes', 'gauge', 'GPU memory used by the process.');
  set.declare('nvidia_smi_compute_apps_last_collect_success', 'gauge', 'Whether the most recent per-process collection succeeded (1) or not (0)');
  set.declare('nvidia_smi_mig_info', 'gauge', "A metric with a constant '1' value labeled by the identity of a MIG device.");
  set.declare('nvidia_smi_mig_memory_used_bytes', 'gauge', 'Memory used by the GPU instance.');
  set.declare('nvidia_smi_mig_memory_total_bytes', 'gauge', 'Memory of the GPU instance.');
  set.declare('nvidia_smi_mig_memory_free_bytes', 'gauge', 'Memory of the GPU instance neither used nor reserved.');
  set.declare('nvidia_smi_mig_memory_reserved_bytes', 'gauge', 'Memory of the GPU instance reserved by the driver.');
  for (const [name, help] of MIG_GPM) set.declare(name, 'gauge', help);
  set.declare('nvidia_smi_last_collect_success', 'gauge', 'Whether the most recent collection succeeded (1) or not (0)');
  set.declare('nvidia_smi_last_collect_success_timestamp_seconds', 'gauge', 'Unix timestamp of the most recent successful collection');

  let processesRead = false;
  for (const g of s.gpus) {
    const uuid = exporterUuid(g.uuid);
    const l: [string, string][] = [['uuid', uuid]];
    set.add(
      'nvidia_smi_gpu_info',
      [
        ['uuid', uuid],
        ['name', g.name ?? ''],
        ['driver_version', g.driver_version ?? ''],
        ['pci_bus_id', g.pci_bus_id ?? ''],
        ['index', String(g.index)],
        ['cuda_version', g.cuda_version ?? ''],
      ],
      1,
    );
    for (const [name, , read] of GAUGES) set.add(name, l, read(g));
    const reasons = active(g);
    if (reasons !== undefined) for (const r of REASONS) set.add(`nvidia_smi_clocks_event_reasons_${r}`, l, reasons.includes(r) ? 1 : 0);
    set.add('nvidia_smi_energy_joules_total', l, g.energy_joules);
    if (g.processes !== undefined) {
      processesRead = true;
      set.add('nvidia_smi_compute_apps', l, g.processes.length);
      for (const p of g.processes) {
        const pl: [string, string][] = [
          ['pid', String(p.pid)],
          ['process_name', p.name?.split('/').pop() ?? ''],
          ['uuid', uuid],
        ];
        set.add('nvidia_smi_compute_app_info', pl, 1);
        set.add('nvidia_smi_compute_app_used_memory_bytes', pl, p.used_memory_bytes);
      }
    }
    // Memory and activity belong to the GPU instance: once per instance, whatever its compute instances.
    const instances = new Set<string>();
    for (const m of g.mig_devices ?? []) {
      const gi = String(m.gpu_instance_id ?? '');
      set.add(
        'nvidia_smi_mig_info',
        [
          ['uuid', uuid],
          ['mig_uuid', m.uuid ?? ''],
          ['gpu_instance_id', gi],
          ['compute_instance_id', String(m.compute_instance_id ?? '')],
          ['profile', m.profile ?? ''],
        ],
        1,
      );
      if (instances.has(gi)) continue;
      instances.add(gi);
      const il: [string, string][] = [
        ['uuid', uuid],
        ['gpu_instance_id', gi],
      ];
      for (const [name, , reading] of MIG_GPM) set.add(name, il, m.gpm?.[reading]);
      set.add('nvidia_smi_mig_memory_used_bytes', il, m.memory_used_bytes);
      set.add('nvidia_smi_mig_memory_total_bytes', il, m.memory_total_bytes);
      set.add('nvidia_smi_mig_memory_free_bytes', il, memoryFree(m));
      set.add('nvidia_smi_mig_memory_reserved_bytes', il, m.memory_reserved_bytes);
    }
  }
  if (processesRead) set.add('nvidia_smi_compute_apps_last_collect_success', [], 1);
  for (const x of s.xids) {
    set.add(
      'nvidia_smi_xid_errors_total',
      [
        ['uuid', x.uuid],
        ['xid', x.xid],
      ],
      x.count,
    );
    set.add(
      'nvidia_smi_xid_last_timestamp_seconds',
      [
        ['uuid', x.uuid],
        ['xid', x.xid],
      ],
      x.lastUnixS,
    );
  }
  if (s.gpus.length > 0) {
    set.add('nvidia_smi_last_collect_success', [], 1);
    set.add('nvidia_smi_last_collect_success_timestamp_seconds', [], s.sampledAtS);
  }
  return set;
}
