// dcgm-exporter compatible families (AGENT_METRICS_COMPAT=dcgm): the names, units, types and HELP
// of its default counter set (agent/test/fixtures/peers/dcgm-exporter/default-counters.csv) with its
// per-GPU labels, filled from the agent's GPU snapshots. What NVML cannot serve (the DCGM profiling
// fields, vGPU licensing, NVLink) is left out and listed in docs/metrics.md with the reason.
import type { GpuSnapshot } from '../../sampling/sampler.js';
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
];

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

/** The label set dcgm-exporter's text template writes for one GPU (release 4.5.3-4.8.2: `Hostname`). */
export function dcgmLabels(g: GpuSnapshot, hostname: string): [string, string][] {
  return [
    ['gpu', String(g.index)],
    ['UUID', g.uuid ?? ''],
    ['pci_bus_id', g.pci_bus_id ?? ''],
    ['device', `nvidia${g.peer?.minor_number ?? g.index}`],
    ['modelName', g.name ?? ''],
    ['Hostname', hostname],
    ['DCGM_FI_DRIVER_VERSION', g.driver_version ?? ''],
  ];
}

export interface DcgmState {
  gpus: readonly GpuSnapshot[];
  /** Last XID code per GPU UUID (DCGM_FI_DEV_XID_ERRORS is the value of the last XID, 0 before any). */
  lastXid: ReadonlyMap<string, number>;
  hostname: string;
}

export function dcgmFamilies(s: DcgmState): FamilySet {
  const set = new FamilySet();
  for (const [name, type, help] of FIELDS) set.declare(name, type, help);
  set.declare('DCGM_FI_DEV_XID_ERRORS', 'gauge', 'Value of the last XID error encountered.');
  for (const g of s.gpus) {
    const labels = dcgmLabels(g, s.hostname);
    for (const [name, , , read] of FIELDS) set.add(name, labels, read(g));
    set.add('DCGM_FI_DEV_XID_ERRORS', labels, s.lastXid.get(g.uuid ?? '') ?? 0);
  }
  return set;
}
