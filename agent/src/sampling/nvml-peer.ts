// The NVML readings beyond the contract fields: what the dcgm-exporter and nvidia_gpu_exporter
// compatibility names need (performance state, compute mode, graphics/video clocks, codec load,
// PCIe replays, remapped rows, aggregate ECC, memory temperature) and the driver's per-reason
// clock-event time counters (nvmlDeviceGetFieldValues), read once per sample like the rest.
import type { ClockEventReason } from '@renderwatch/schema';
import type { NvmlFieldAnswer, NvmlHandle, NvmlLib, NvmlResult } from './nvml-lib.js';
import type { PeerReadings } from './sampler.js';
import { compact } from './smi-values.js';

/**
 * nvml.h field ids of the cumulative clock-event counters (ns, like nvmlViolationTime_t): the two
 * older perf-policy ids (NVML_FI_DEV_PERF_POLICY_POWER 74 / _SYNC_BOOST 76, which nvml.h aliases
 * as NVML_FI_DEV_CLOCKS_EVENT_REASON_SW_POWER_CAP / _SYNC_BOOST) and the three added with the
 * driver-590 counters (251-253). A driver that lacks one answers NOT_SUPPORTED for that id only.
 */
export const CLOCK_EVENT_FIELDS: readonly (readonly [number, ClockEventReason])[] = [
  [74, 'sw_power_cap'],
  [76, 'sync_boost'],
  [251, 'sw_thermal_slowdown'],
  [252, 'hw_thermal_slowdown'],
  [253, 'hw_power_brake_slowdown'],
];
/** NVML_FI_DEV_MEMORY_TEMP: HBM temperature, °C (GDDR boards answer NOT_SUPPORTED). */
export const MEMORY_TEMP_FIELD = 82;
/** NVML_FI_DEV_GET_GPU_RECOVERY_ACTION: 0 none, 1 GPU reset, 2 node reboot, 3 drain P2P, 4 drain and reset. */
export const RECOVERY_ACTION_FIELD = 230;
/** The ids asked in one nvmlDeviceGetFieldValues call per sample, in the order readPeer reads them. */
export const PEER_FIELDS: readonly number[] = [...CLOCK_EVENT_FIELDS.map(([id]) => id), MEMORY_TEMP_FIELD, RECOVERY_ACTION_FIELD];

type Read = <T>(field: string, fn: string, call: () => NvmlResult<T>) => T | undefined;

export interface PeerRead {
  clockEventUs?: Partial<Record<ClockEventReason, number>>;
  readings?: PeerReadings;
}

const ratio = (pct: number | undefined): number | undefined => (pct === undefined ? undefined : pct / 100);

/** `fields` answers PEER_FIELDS, in that order. */
export function readPeer(lib: NvmlLib, h: NvmlHandle, read: Read, fields: NvmlFieldAnswer[] | undefined): PeerRead {
  const counters: Partial<Record<ClockEventReason, number>> = {};
  // an indexed loop: forEach made a closure per GPU per sample (the daemon runs interpreted)
  for (let i = 0; i < CLOCK_EVENT_FIELDS.length; i++) {
    const a = fields?.[i];
    const reason = CLOCK_EVENT_FIELDS[i]?.[1];
    if (a?.ok === true && reason !== undefined) counters[reason] = Math.floor(a.value / 1000);
  }
  const memTemp = fields?.[CLOCK_EVENT_FIELDS.length];
  const recovery = fields?.[CLOCK_EVENT_FIELDS.length + 1];
  const remapped = read('remapped_rows', 'nvmlDeviceGetRemappedRows', () => lib.remappedRows(h));
  const readings = compact<PeerReadings>({
    pstate: read('pstate', 'nvmlDeviceGetPerformanceState', () => lib.pstate(h)),
    compute_mode: read('compute_mode', 'nvmlDeviceGetComputeMode', () => lib.computeMode(h)),
    minor_number: read('minor_number', 'nvmlDeviceGetMinorNumber', () => lib.minorNumber(h)),
    graphics_clock_mhz: read('graphics_clock', 'nvmlDeviceGetClockInfo', () => lib.clock(h, 'graphics')),
    graphics_clock_max_mhz: read('graphics_clock_max', 'nvmlDeviceGetMaxClockInfo', () => lib.maxClock(h, 'graphics')),
    video_clock_mhz: read('video_clock', 'nvmlDeviceGetClockInfo', () => lib.clock(h, 'video')),
    encoder_utilization_ratio: ratio(read('encoder', 'nvmlDeviceGetEncoderUtilization', () => lib.codecPercent(h, 'encoder'))),
    decoder_utilization_ratio: ratio(read('decoder', 'nvmlDeviceGetDecoderUtilization', () => lib.codecPercent(h, 'decoder'))),
    memory_temperature_celsius: memTemp?.ok === true ? memTemp.value : undefined,
    recovery_action: recovery?.ok === true ? recovery.value : undefined,
    fabric_state: read('fabric', 'nvmlDeviceGetGpuFabricInfo', () => lib.fabricState(h)),
    pcie_replays_total: read('pcie_replay', 'nvmlDeviceGetPcieReplayCounter', () => lib.pcieReplays(h)),
    remapped_rows_correctable: remapped?.correctable,
    remapped_rows_uncorrectable: remapped?.uncorrectable,
    remapped_rows_pending: remapped?.pending,
    remapped_rows_failure: remapped?.failure,
    ecc_corrected_aggregate_total: read('ecc_aggregate', 'nvmlDeviceGetTotalEccErrors', () => lib.eccTotal(h, 'corrected', 'aggregate')),
    ecc_uncorrected_aggregate_total: read('ecc_aggregate', 'nvmlDeviceGetTotalEccErrors', () => lib.eccTotal(h, 'uncorrected', 'aggregate')),
  });
  return {
    ...(Object.keys(counters).length === 0 ? {} : { clockEventUs: counters }),
    ...(Object.keys(readings).length === 0 ? {} : { readings }),
  };
}
