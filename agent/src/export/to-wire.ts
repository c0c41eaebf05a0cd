// Domain → wire conversion, at the transport edge only (docs/style.md "3. Module boundaries"). Generated proto types do not
// travel further into the agent than this folder.
import type {
  GpuSample as WireGpuSample,
  GpuStatusEvent as WireGpuStatus,
  HostSample as WireHostSample,
  RuntimeEvent as WireRuntimeEvent,
} from '@renderwatch/proto';
import type { RuntimeEvent } from '@renderwatch/schema';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';
import type { GpuIncrement } from './gpu-increments.js';

/** Host reading in the wire's shape (snake_case); the host sampler produces it. */
export interface HostSnapshotLike {
  ts_unix_ms: number;
  cpu_ratio?: number;
  memory_used_bytes?: number;
  memory_total_bytes?: number;
  swap_used_bytes?: number;
  swap_total_bytes?: number;
  volumes?: { mount: string; role: string; size_bytes: number; free_bytes: number }[];
  disk_read_bytes_per_s?: number;
  disk_write_bytes_per_s?: number;
  net_rx_bytes_per_s?: number;
  net_tx_bytes_per_s?: number;
}

const int = (v: number | undefined): number | undefined => (v === undefined || !Number.isFinite(v) ? undefined : Math.max(0, Math.round(v)));
const fin = (v: number | undefined): number | undefined => (v === undefined || !Number.isFinite(v) ? undefined : v);

export function gpuToWire(g: GpuSnapshot, inc?: GpuIncrement): WireGpuSample {
  return {
    tsUnixMs: Math.round(g.ts_unix_ms),
    index: g.index,
    uuid: g.uuid ?? '',
    name: g.name ?? '',
    pciBusId: g.pci_bus_id ?? '',
    utilizationGpuRatio: fin(g.utilization_gpu_ratio),
    utilizationMemoryRatio: fin(g.utilization_memory_ratio),
    memoryUsedBytes: int(g.memory_used_bytes),
    memoryTotalBytes: int(g.memory_total_bytes),
    memoryReservedBytes: int(g.memory_reserved_bytes),
    temperatureCelsius: fin(g.temperature_celsius),
    powerDrawWatts: fin(g.power_draw_watts),
    powerLimitWatts: fin(g.power_limit_watts),
    energyJoules: fin(g.energy_joules),
    smClockMhz: int(g.sm_clock_mhz),
    smClockMaxMhz: int(g.sm_clock_max_mhz),
    memoryClockMhz: int(g.memory_clock_mhz),
    memoryClockMaxMhz: int(g.memory_clock_max_mhz),
    fanRatio: fin(g.fan_ratio),
    clockEventReasonsMask: int(g.clock_event_reasons_mask),
    pcieTxBytesPerS: int(g.pcie_tx_bytes_per_s),
    pcieRxBytesPerS: int(g.pcie_rx_bytes_per_s),
    eccCorrectedTotal: int(g.ecc_corrected_total),
    eccUncorrectedTotal: int(g.ecc_uncorrected_total),
    migEnabled: g.mig_enabled ?? false,
    processes: (g.processes ?? []).map((p) => ({ pid: p.pid, name: p.name ?? '', usedMemoryBytes: int(p.used_memory_bytes), runtime: '' })),
    throttleThermalUs: int(g.throttle_thermal_us),
    throttlePowerUs: int(g.throttle_power_us),
    intervalMs: inc === undefined ? undefined : int(inc.interval_ms),
    energyDeltaJoules: inc === undefined ? undefined : fin(inc.energy_delta_joules),
  };
}

export function hostToWire(h: HostSnapshotLike): WireHostSample {
  return {
    tsUnixMs: Math.round(h.ts_unix_ms),
    cpuRatio: fin(h.cpu_ratio),
    memoryUsedBytes: int(h.memory_used_bytes),
    memoryTotalBytes: int(h.memory_total_bytes),
    swapUsedBytes: int(h.swap_used_bytes),
    swapTotalBytes: int(h.swap_total_bytes),
    volumes: (h.volumes ?? []).map((v) => ({ mount: v.mount, role: v.role, sizeBytes: int(v.size_bytes) ?? 0, freeBytes: int(v.free_bytes) ?? 0 })),
    diskReadBytesPerS: int(h.disk_read_bytes_per_s),
    diskWriteBytesPerS: int(h.disk_write_bytes_per_s),
    netRxBytesPerS: int(h.net_rx_bytes_per_s),
    netTxBytesPerS: int(h.net_tx_bytes_per_s),
  };
}

export function statusToWire(s: GpuStatusChange): WireGpuStatus {
  return { tsUnixMs: Math.round(s.ts_unix_ms), gpuIndex: s.gpu_index, gpuUuid: s.gpu_uuid, status: s.status, xid: s.xid, detail: s.detail };
}

/** A runtime event with the time the agent observed it (events from logs may lack a `ts`). */
export interface TimedEvent {
  event: RuntimeEvent;
  ts_unix_ms: number;
  gpu_index?: number;
  /** For runtime_start: whether the agent judged the start cold (wire-only; not in the log contract). */
  cold?: boolean;
}

function body(e: RuntimeEvent, cold: boolean | undefined): WireRuntimeEvent['body'] {
  switch (e.kind) {
    case 'runtime_start':
      return { $case: 'runtimeStart', value: { version: e.version, extensions: e.extensions ?? [], cold } };
    case 'runtime_ready':
      return {
        $case: 'runtimeReady',
        value: { startupS: e.startup_s, url: e.url, startToReadyS: e.start_to_ready_s, cold: e.cold, coldRule: e.cold_rule },
      };
    case 'model_load':
      return {
        $case: 'modelLoad',
        value: {
          model: e.model,
          modelHash: e.model_hash,
          source: e.source,
          durationS: e.duration_s,
          loadedMb: e.loaded_mb,
          offloadedMb: e.offloaded_mb,
          mode: e.mode,
          path: e.path,
        },
      };
    case 'model_download':
      return {
        $case: 'modelDownload',
        value: { model: e.model, bytes: e.bytes, durationS: e.duration_s, bytesPerS: e.bytes_per_s, source: e.source },
      };
    case 'first_image':
      return {
        $case: 'firstImage',
        value: {
          jobId: e.job_id,
          startToFirstImageS: e.start_to_first_image_s,
          startToReadyS: e.start_to_ready_s,
          readyToFirstImageS: e.ready_to_first_image_s,
          queuedToImageS: e.queued_to_image_s,
          cold: e.cold,
          coldRule: e.cold_rule,
        },
      };
    case 'model_unload':
      return { $case: 'modelUnload', value: { model: e.model, freedMb: e.freed_mb } };
    case 'job_start':
      return {
        $case: 'jobStart',
        value: { jobId: e.job_id, queueWaitS: e.queue_wait_s, campaignId: e.campaign_id, workflowFingerprint: e.workflow_fingerprint },
      };
    case 'job_end':
      return {
        $case: 'jobEnd',
        value: {
          jobId: e.job_id,
          durationS: e.duration_s,
          outcome: e.outcome,
          images: e.images,
          width: e.width,
          height: e.height,
          steps: e.steps,
          batch: e.batch,
          model: e.model,
          queuedToImageS: e.queued_to_image_s,
          cold: e.cold,
          coldRule: e.cold_rule,
          campaignId: e.campaign_id,
          workflowFingerprint: e.workflow_fingerprint,
          jobKey: e.job_key,
        },
      };
    case 'node_cache':
      return {
        $case: 'nodeCache',
        value: { cachedNodes: e.cached_nodes, executedNodes: e.executed_nodes, jobId: e.job_id, workflowFingerprint: e.workflow_fingerprint },
      };
    case 'queue':
      return { $case: 'queue', value: { pending: e.pending, running: e.running, oldestWaitS: e.oldest_wait_s } };
    case 'progress':
      return { $case: 'progress', value: { step: e.step, totalSteps: e.total_steps, itPerS: e.it_per_s } };
    case 'oom':
      return {
        $case: 'oom',
        value: {
          requestedBytes: e.requested_bytes,
          totalBytes: e.total_bytes,
          freeBytes: e.free_bytes,
          allocatedBytes: e.allocated_bytes,
          reservedUnallocatedBytes: e.reserved_unallocated_bytes,
          otherProcessesBytes: e.other_processes_bytes,
          device: e.device,
          recovered: e.recovered,
          cause: e.cause,
          causeRule: e.cause_rule,
        },
      };
    case 'error':
      return { $case: 'error', value: { errorType: e.error_type, message: e.message, messageFingerprint: e.message_fingerprint } };
    case 'training_progress':
      return {
        $case: 'trainingProgress',
        value: { step: e.step, totalSteps: e.total_steps, epoch: e.epoch, totalEpochs: e.total_epochs, loss: e.loss, itPerS: e.it_per_s },
      };
    case 'checkpoint_saved':
      return { $case: 'checkpointSaved', value: { step: e.step, epoch: e.epoch, path: e.path } };
    case 'training_resumed':
      return { $case: 'trainingResumed', value: { step: e.step, epoch: e.epoch, path: e.path } };
    case 'output_written':
      return { $case: 'outputWritten', value: { images: e.images, bytes: e.bytes } };
    case 'campaign':
      return {
        $case: 'campaign',
        value: {
          campaignId: e.campaign_id,
          label: e.label,
          workflowFingerprint: e.workflow_fingerprint,
          plannedJobs: e.planned_jobs,
          plannedImages: e.planned_images,
          interruption: e.interruption,
          lostJobs: e.lost_jobs,
          imagesMissing: e.images_missing,
        },
      };
    default: {
      const never: never = e;
      throw new TypeError(`unknown event ${String(never)}`);
    }
  }
}

/** How far a log line's own timestamp may be from when the agent read it and still be trusted. */
const MAX_LOG_TS_AGE_MS = 26 * 3600_000;
const MAX_LOG_TS_AHEAD_MS = 5 * 60_000;

/**
 * The event's time: the log's own timestamp (local time of this host when it has no offset) when
 * it is plausible, else when the agent observed it — an old file replayed from its start, or a
 * wrong clock in a container, must not put events years away or get a whole batch refused.
 */
export function eventTime(t: TimedEvent): number {
  const fromLog = t.event.ts === undefined ? Number.NaN : Date.parse(t.event.ts);
  const plausible = Number.isFinite(fromLog) && fromLog <= t.ts_unix_ms + MAX_LOG_TS_AHEAD_MS && fromLog >= t.ts_unix_ms - MAX_LOG_TS_AGE_MS;
  return Math.round(plausible ? fromLog : t.ts_unix_ms);
}

export function eventToWire(t: TimedEvent): WireRuntimeEvent {
  return {
    tsUnixMs: eventTime(t),
    kind: t.event.kind,
    runtime: t.event.runtime,
    gpuIndex: t.gpu_index,
    body: body(t.event, t.cold),
  };
}
