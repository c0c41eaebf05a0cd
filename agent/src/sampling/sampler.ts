import type { ClockEventReason, GpuReading } from '@renderwatch/schema';

/** One MIG instance of a GPU: identity, memory and, where NVML serves GPM (Hopper+), its activity. */
export interface MigDeviceSnapshot {
  gpu_instance_id?: number;
  compute_instance_id?: number;
  uuid?: string;
  /** MIG profile from the MIG device's name: `3g.40gb`, or `1c.2g.20gb` for a compute instance smaller than its GPU instance. */
  profile?: string;
  memory_used_bytes?: number;
  memory_total_bytes?: number;
  memory_reserved_bytes?: number;
  /** The GPU instance's GPM readings (nvmlGpmMigSampleGet), from its second sample on. */
  gpm?: GpmReadings;
}

/**
 * NVML GPU Performance Monitoring readings (Hopper and later) over the window between two samples:
 * ratios 0-1 (nvml.h gives percent), rates in bytes per second (nvml.h gives MiB/s).
 */
export interface GpmReadings {
  graphics_activity_ratio?: number;
  sm_activity_ratio?: number;
  sm_occupancy_ratio?: number;
  /** Any tensor pipe (HMMA, IMMA, DFMA). */
  tensor_activity_ratio?: number;
  /** DRAM bandwidth used vs the theoretical maximum. */
  dram_activity_ratio?: number;
  fp64_activity_ratio?: number;
  fp32_activity_ratio?: number;
  fp16_activity_ratio?: number;
  pcie_tx_bytes_per_s?: number;
  pcie_rx_bytes_per_s?: number;
  nvlink_tx_bytes_per_s?: number;
  nvlink_rx_bytes_per_s?: number;
}

/**
 * One GPU at one instant, as every source produces it: the docs/design.md contract fields
 * (`GpuReading`, what `parse-nvidia-smi` prints) plus what the wire carries beyond them.
 * Absent values are `undefined`, never zero.
 */
export interface GpuSnapshot extends GpuReading {
  /** Unix ms when the reading was taken. */
  ts_unix_ms: number;
  pci_bus_id?: string;
  cuda_version?: string;
  utilization_memory_ratio?: number;
  memory_reserved_bytes?: number;
  memory_clock_max_mhz?: number;
  energy_joules?: number;
  /** Raw NVML clock-event reason bitmask (decoded names are in `clock_event_reasons`). */
  clock_event_reasons_mask?: number;
  pcie_tx_bytes_per_s?: number;
  pcie_rx_bytes_per_s?: number;
  ecc_corrected_total?: number;
  ecc_uncorrected_total?: number;
  /** Cumulative µs in thermal / power throttle, where the driver counts them. */
  throttle_thermal_us?: number;
  throttle_power_us?: number;
  /** Cumulative µs per reason from the driver's monotonic counters (driver >= 590), where present. */
  clock_event_reason_counters_us?: Partial<Record<ClockEventReason, number>>;
  /** MIG instances when MIG is enabled. */
  mig_devices?: MigDeviceSnapshot[];
  /** Readings the peer-exporter compatibility modes need (AGENT_METRICS_COMPAT; docs/metrics.md). */
  peer?: PeerReadings;
}

/** What NVML serves beyond the contract fields, for the dcgm / nvidia_gpu_exporter names. Absent = not read. */
export interface PeerReadings {
  /** Performance state 0 (P0) … 15. */
  pstate?: number;
  /** 0 default, 1 exclusive thread, 2 prohibited, 3 exclusive process (nvmlComputeMode_t). */
  compute_mode?: number;
  /** /dev/nvidia<minor>. */
  minor_number?: number;
  graphics_clock_mhz?: number;
  graphics_clock_max_mhz?: number;
  video_clock_mhz?: number;
  encoder_utilization_ratio?: number;
  decoder_utilization_ratio?: number;
  memory_temperature_celsius?: number;
  pcie_replays_total?: number;
  remapped_rows_correctable?: number;
  remapped_rows_uncorrectable?: number;
  remapped_rows_pending?: boolean;
  remapped_rows_failure?: boolean;
  ecc_corrected_aggregate_total?: number;
  ecc_uncorrected_aggregate_total?: number;
  /** NVML_FI_DEV_GET_GPU_RECOVERY_ACTION: 0 none, 1 GPU reset, 2 node reboot, 3 drain P2P, 4 drain and reset. */
  recovery_action?: number;
  /** NVLink fabric state: 0 not supported, 1 not started, 2 in progress, 3 completed. */
  fabric_state?: number;
  /** GPM readings of the whole GPU (NVML, Hopper and later), from its second sample on. */
  gpm?: GpmReadings;
  /** NVLink links and throughput (NVML, GPUs with an active link). */
  nvlink?: NvlinkReadings;
}

/** NVLink of one GPU: active links and the raw (data + protocol) throughput counters of all links. */
export interface NvlinkReadings {
  links_active: number;
  /** Bytes sent / received over all links since the driver loaded. */
  raw_tx_bytes_total?: number;
  raw_rx_bytes_total?: number;
  /** Sent plus received, bytes per second over the last sampling interval (from the second sample on). */
  raw_bytes_per_s?: number;
}

/** A reading parsed from recorded or live nvidia-smi output, before it is stamped with a time. */
export type GpuReadingDetail = Omit<GpuSnapshot, 'ts_unix_ms'>;

/** A GPU-level condition worth an event: an XID, a GPU fallen off the bus, its return. */
export interface GpuStatusChange {
  ts_unix_ms: number;
  gpu_index: number;
  gpu_uuid: string;
  status: 'xid' | 'lost' | 'recovered' | 'sample_error';
  xid?: number;
  detail: string;
}

export interface GpuSampleResult {
  gpus: GpuSnapshot[];
  status: GpuStatusChange[];
}

/** A source of GPU readings (NVML, nvidia-smi, a recorded replay, a simulation). */
export interface GpuSampler {
  readonly source: 'nvml' | 'nvidia-smi' | 'replay' | 'simulated';
  /** Never rejects for a bad reading: failures come back as `status` entries. */
  sample(): Promise<GpuSampleResult>;
  close(): Promise<void>;
}
