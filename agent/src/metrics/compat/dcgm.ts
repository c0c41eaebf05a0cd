// dcgm-exporter compatible families (AGENT_METRICS_COMPAT=dcgm): the names, units, types and HELP
// of its default counter set (agent/test/fixtures/peers/dcgm-exporter/default-counters.csv) with its
// per-GPU labels, filled from the agent's GPU snapshots. The profiling fields (DCGM_FI_PROF_*) come
// from NVML's GPM where the GPU has it (Hopper and later); a MIG GPU also gets one series set per GPU
// instance labelled GPU_I_PROFILE / GPU_I_ID, as dcgm-exporter monitors GPUs and GPU instances.
// What NVML cannot serve is left out and listed in docs/metrics.md with the reason.
import type { GpmReadings, GpuSnapshot, MigDeviceSnapshot } from '../../sampling/sampler.js';
import { FamilySet, type FamilyType } from './exposition.js';

const MiB = 1024 * 1024;

type Read = (g: GpuSnapshot) => number | undefined;

/** [name, type, HELP as in default-counters.csv, reader in the CSV's unit]. */
const FIELDS: readonly (readonly [string, FamilyType, string, Read])[] = [
  ['DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).', (g) => g.sm_clock_mhz],
  ['DCGM_FI_DEV_MEM_CLOCK', 'gauge', 'Memory clock frequency (in MHz).', (g) => g.memory_clock_mhz],
  ['DCGM_FI_DEV_MEMORY_TEMP', 'gauge', 'Memory temperature (in C).', (g) => g.peer?.memory_temperature_celsius],
  ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).', (g) => g.temperature_celsius],
  ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).', (g) => g.power_draw_watts],
  [
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    'counter',
    'Total energy consumption since boot (in mJ).',
    (g) => (g.energy_joules === undefined ? undefined : Math.round(g.energy_joules * 1000)),
  ],
  ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'counter', 'Total number of PCIe retries.', (g) => g.peer?.pcie_replays_total],
  ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).', (g) => pct(g.utilization_gpu_ratio)],
  ['DCGM_FI_DEV_MEM_COPY_UTIL', 'gauge', 'Memory utilization (in %).', (g) => pct(g.utilization_memory_ratio)],
  ['DCGM_FI_DEV_ENC_UTIL', 'gauge', 'Encoder utilization (in %).', (g) => pct(g.peer?.encoder_utilization_ratio)],
  ['DCGM_FI_DEV_DEC_UTIL', 'gauge', 'Decoder utilization (in %).', (g) => pct(g.peer?.decoder_utilization_ratio)],
  ['DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).', (g) => fbFree(g)],
  ['DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).', (g) => mib(g.memory_used_bytes)],
  ['DCGM_FI_DEV_FB_RESERVED', 'gauge', 'Framebuffer memory reserved (in MiB).', (g) => mib(g.memory_reserved_bytes)],
  ['DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for uncorrectable errors', (g) => g.peer?.remapped_rows_uncorrectable],
  ['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for correctable errors', (g) => g.peer?.remapped_rows_correctable],
  ['DCGM_FI_DEV_ROW_REMAP_FAILURE', 'gauge', 'Whether remapping of rows has failed', (g) => bool(g.peer?.remapped_rows_failure)],
  // DCGM's field 449 is typed counter in the CSV but DCGM fills it with the NVLink rate in MB/s (raw
  // data plus protocol, all links): the rate of NVML's raw throughput counters over the last interval.
  [
    'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
    'counter',
    'Total number of NVLink bandwidth counters for all lanes.',
    (g) => {
      const r = g.peer?.nvlink?.raw_bytes_per_s;
      return r === undefined ? undefined : Math.round(r / 1e6);
    },
  ],
  // The profiling (DCP) fields of the counter list, from NVML GPM (docs/metrics.md "GPM").
  ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'gauge', 'Ratio of time the graphics engine is active.', gpm('graphics_activity_ratio')],
  ['DCGM_FI_PROF_SM_ACTIVE', 'gauge', 'The ratio of cycles an SM has at least 1 warp assigned.', gpm('sm_activity_ratio')],
  ['DCGM_FI_PROF_SM_OCCUPANCY', 'gauge', 'The ratio of number of warps resident on an SM.', gpm('sm_occupancy_ratio')],
  ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.', gpm('tensor_activity_ratio')],
  ['DCGM_FI_PROF_DRAM_ACTIVE', 'gauge', 'Ratio of cycles the device memory interface is active sending or receiving data.', gpm('dram_activity_ratio')],
  ['DCGM_FI_PROF_PIPE_FP64_ACTIVE', 'gauge', 'Ratio of cycles the fp64 pipes are active.', gpm('fp64_activity_ratio')],
  ['DCGM_FI_PROF_PIPE_FP32_ACTIVE', 'gauge', 'Ratio of cycles the fp32 pipes are active.', gpm('fp32_activity_ratio')],
  ['DCGM_FI_PROF_PIPE_FP16_ACTIVE', 'gauge', 'Ratio of cycles the fp16 pipes are active.', gpm('fp16_activity_ratio')],
  [
    'DCGM_FI_PROF_PCIE_TX_BYTES',
    'gauge',
    'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    gpm('pcie_tx_bytes_per_s'),
  ],
  [
    'DCGM_FI_PROF_PCIE_RX_BYTES',
    'gauge',
    'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    gpm('pcie_rx_bytes_per_s'),
  ],
];

/** Device-level fields DCGM does not answer for a MIG GPU instance (utilization is per GPU, and NOT_SUPPORTED under MIG). */
const NOT_PER_INSTANCE = new Set(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'DCGM_FI_DEV_ENC_UTIL', 'DCGM_FI_DEV_DEC_UTIL']);

function gpm(name: keyof GpmReadings): Read {
  return (g) => {
    const v = g.peer?.gpm?.[name];
    // Bytes per second are whole numbers in DCGM; ratios keep their fraction.
    return v === undefined || name.endsWith('_ratio') ? v : Math.round(v);
  };
}

function pct(ratio: number | undefined): number | undefined {
  return ratio === undefined ? undefined : Math.round(ratio * 100);
}
function mib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round(bytes / MiB);
}
function bool(v: boolean | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}
function fbFree(g: GpuSnapshot): number | undefined {
  if (g.memory_total_bytes === undefined || g.memory_used_bytes === undefined) return undefined;
  return mib(Math.max(0, g.memory_total_bytes - g.memory_used_bytes - (g.memory_reserved_bytes ?? 0)));
}

/** The hostname label's spelling: `Hostname` up to release 4.5.3-4.8.2, `hostname` after it. */
export type DcgmHostnameLabel = 'Hostname' | 'hostname';

/**
 * The label set dcgm-exporter's text template writes for one GPU, or for one of its MIG GPU
 * instances (`GPU_I_PROFILE`, `GPU_I_ID` after `modelName`).
 */
export function dcgmLabels(
  g: GpuSnapshot,
  hostname: string,
  instance?: { profile: string; id: number },
  hostLabel: DcgmHostnameLabel = 'Hostname',
): [string, string][] {
  return [
    ['gpu', String(g.index)],
    ['UUID', g.uuid ?? ''],
    ['pci_bus_id', g.pci_bus_id ?? ''],
    ['device', `nvidia${g.peer?.minor_number ?? g.index}`],
    ['modelName', g.name ?? ''],
    ...(instance === undefined
      ? []
      : ([
          ['GPU_I_PROFILE', instance.profile],
          ['GPU_I_ID', String(instance.id)],
        ] as [string, string][])),
    [hostLabel, hostname],
    ['DCGM_FI_DRIVER_VERSION', g.driver_version ?? ''],
  ];
}

/**
 * One view per GPU instance of a MIG GPU (the first MIG device of each GPU instance; compute
 * instances share it): the GPU's device-level readings with the instance's memory and GPM.
 * An instance whose profile NVML did not name is left out (dcgm-exporter writes the GPU_I labels
 * only with a profile).
 */
function gpuInstances(g: GpuSnapshot): { view: GpuSnapshot; profile: string; id: number }[] {
  const out: { view: GpuSnapshot; profile: string; id: number }[] = [];
  const seen = new Set<number>();
  for (const m of g.mig_devices ?? []) {
    if (m.gpu_instance_id === undefined || m.profile === undefined || seen.has(m.gpu_instance_id)) continue;
    seen.add(m.gpu_instance_id);
    out.push({ view: instanceView(g, m), profile: gpuInstanceProfile(m.profile), id: m.gpu_instance_id });
  }
  return out;
}

/** `1c.2g.20gb` (a compute instance's profile) → `2g.20gb` (its GPU instance's). */
export function gpuInstanceProfile(profile: string): string {
  return profile.replace(/^\d+c\./, '');
}

function instanceView(g: GpuSnapshot, m: MigDeviceSnapshot): GpuSnapshot {
  const { memory_used_bytes: _u, memory_total_bytes: _t, memory_reserved_bytes: _r, peer, ...rest } = g;
  const { gpm: _g, ...peerRest } = peer ?? {};
  return {
    ...rest,
    ...(m.memory_used_bytes === undefined ? {} : { memory_used_bytes: m.memory_used_bytes }),
    ...(m.memory_total_bytes === undefined ? {} : { memory_total_bytes: m.memory_total_bytes }),
    ...(m.memory_reserved_bytes === undefined ? {} : { memory_reserved_bytes: m.memory_reserved_bytes }),
    peer: { ...peerRest, ...(m.gpm === undefined ? {} : { gpm: m.gpm }) },
  };
}

export interface DcgmState {
  gpus: readonly GpuSnapshot[];
  /** Last XID code per GPU UUID (DCGM_FI_DEV_XID_ERRORS is the value of the last XID, 0 before any). */
  lastXid: ReadonlyMap<string, number>;
  hostname: string;
  /** `Hostname` (default, release 4.5.3-4.8.2 and earlier) or `hostname` (dcgm-exporter after it). */
  hostnameLabel?: DcgmHostnameLabel;
}

export function dcgmFamilies(s: DcgmState): FamilySet {
  const set = new FamilySet();
  for (const [name, type, help] of FIELDS) set.declare(name, type, help);
  set.declare('DCGM_FI_DEV_XID_ERRORS', 'gauge', 'Value of the last XID error encountered.');
  for (const g of s.gpus) {
    const labels = dcgmLabels(g, s.hostname, undefined, s.hostnameLabel);
    for (const [name, , , read] of FIELDS) set.add(name, labels, read(g));
    set.add('DCGM_FI_DEV_XID_ERRORS', labels, s.lastXid.get(g.uuid ?? '') ?? 0);
    for (const i of gpuInstances(g)) {
      const il = dcgmLabels(g, s.hostname, i, s.hostnameLabel);
      for (const [name, , , read] of FIELDS) if (!NOT_PER_INSTANCE.has(name)) set.add(name, il, read(i.view));
      set.add('DCGM_FI_DEV_XID_ERRORS', il, s.lastXid.get(g.uuid ?? '') ?? 0);
    }
  }
  return set;
}
