// Converts a decoded ExportRequest into table rows. Validation happens here, once, at the edge:
// after this everything downstream trusts the rows. The tenant comes from the caller (the token),
// never from the payload.
import type { ExportRequest, GpuSample, HostSample, RuntimeEvent } from '@renderwatch/proto';
import { AppError } from '../errors.js';
import { eventColumns } from './event-columns.js';
import { splitTs } from './time.js';

export interface IngestRows {
  gpu_samples: Record<string, unknown>[];
  host_samples: Record<string, unknown>[];
  runtime_events: Record<string, unknown>[];
  gpu_status: Record<string, unknown>[];
  hosts: Record<string, unknown>[];
}

export interface BatchIdentity {
  tenant: string;
  agent_id: string;
  batch_seq: number;
  host: string;
}

const ID = /^[\w.:@-]{1,128}$/;
/** Samples more than this far in the future are rejected (clock skew guard), ms. */
const MAX_FUTURE_MS = 10 * 60_000;
/** ... and older than this (a spool may hold a few days), ms. */
const MAX_PAST_MS = 400 * 24 * 3600_000;

function checkTs(ms: number, what: string, now: number): void {
  if (!Number.isFinite(ms) || ms <= 0) throw new AppError('COL_ERR_INGEST_INVALID', `${what}: ts_unix_ms missing or not positive`);
  if (ms > now + MAX_FUTURE_MS) throw new AppError('COL_ERR_INGEST_INVALID', `${what}: ts_unix_ms is more than 10 minutes in the future (agent clock skew?)`);
  if (ms < now - MAX_PAST_MS) throw new AppError('COL_ERR_INGEST_INVALID', `${what}: ts_unix_ms is older than 400 days`);
}

/** An absent optional value is left out of the JSON row: ClickHouse fills the Nullable column's default, NULL. */
const n = <T>(v: T | undefined): T | undefined => v;

function ratio(v: number | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < 0 || v > 1.5) throw new AppError('COL_ERR_INGEST_INVALID', `${what}: ratio out of range (${v})`);
  return Math.min(v, 1);
}

type TsSplitter = (unixMs: number) => { ts: string; ts_ms: number };

/** splitTs that reuses the text of the last second seen (a batch's GPU rows share their timestamps). */
function createTsSplitter(): TsSplitter {
  let lastS = Number.NaN;
  let lastText = '';
  return (unixMs) => {
    const s = Math.floor(unixMs / 1000);
    if (s !== lastS) {
      lastS = s;
      lastText = splitTs(s * 1000).ts;
    }
    return { ts: lastText, ts_ms: unixMs - s * 1000 };
  };
}

function gpuRow(id: BatchIdentity, g: GpuSample, now: number, split: TsSplitter): Record<string, unknown> {
  checkTs(g.tsUnixMs, `gpu_samples[${g.index}]`, now);
  if (g.uuid === '' && g.name === '') throw new AppError('COL_ERR_INGEST_INVALID', `gpu_samples[${g.index}]: uuid and name both empty`);
  return {
    tenant: id.tenant,
    host: id.host,
    agent_id: id.agent_id,
    ...split(g.tsUnixMs),
    gpu_index: g.index,
    gpu_uuid: g.uuid === '' ? `index-${g.index}` : g.uuid,
    gpu_name: g.name,
    util_ratio: ratio(g.utilizationGpuRatio, 'utilization_gpu_ratio'),
    mem_util_ratio: ratio(g.utilizationMemoryRatio, 'utilization_memory_ratio'),
    mem_used_bytes: n(g.memoryUsedBytes),
    mem_total_bytes: n(g.memoryTotalBytes),
    mem_reserved_bytes: n(g.memoryReservedBytes),
    temp_celsius: n(g.temperatureCelsius),
    power_draw_watts: n(g.powerDrawWatts),
    power_limit_watts: n(g.powerLimitWatts),
    energy_joules: n(g.energyJoules),
    sm_clock_mhz: n(g.smClockMhz),
    sm_clock_max_mhz: n(g.smClockMaxMhz),
    mem_clock_mhz: n(g.memoryClockMhz),
    mem_clock_max_mhz: n(g.memoryClockMaxMhz),
    fan_ratio: n(g.fanRatio),
    clock_event_reasons: n(g.clockEventReasonsMask),
    pcie_tx_bytes_per_s: n(g.pcieTxBytesPerS),
    pcie_rx_bytes_per_s: n(g.pcieRxBytesPerS),
    ecc_corrected_total: n(g.eccCorrectedTotal),
    ecc_uncorrected_total: n(g.eccUncorrectedTotal),
    throttle_thermal_us: n(g.throttleThermalUs),
    throttle_power_us: n(g.throttlePowerUs),
    mig_enabled: g.migEnabled ? 1 : 0,
    process_pids: g.processes.map((p) => p.pid),
    process_names: g.processes.map((p) => p.name),
    process_runtimes: g.processes.map((p) => p.runtime),
    process_mem_bytes: g.processes.map((p) => p.usedMemoryBytes ?? 0),
    batch_seq: id.batch_seq,
  };
}

function hostRow(id: BatchIdentity, h: HostSample, now: number, split: TsSplitter): Record<string, unknown> {
  checkTs(h.tsUnixMs, 'host_samples', now);
  return {
    tenant: id.tenant,
    host: id.host,
    agent_id: id.agent_id,
    ...split(h.tsUnixMs),
    cpu_ratio: ratio(h.cpuRatio, 'cpu_ratio'),
    mem_used_bytes: n(h.memoryUsedBytes),
    mem_total_bytes: n(h.memoryTotalBytes),
    swap_used_bytes: n(h.swapUsedBytes),
    swap_total_bytes: n(h.swapTotalBytes),
    volume_mounts: h.volumes.map((v) => v.mount),
    volume_roles: h.volumes.map((v) => v.role),
    volume_size_bytes: h.volumes.map((v) => v.sizeBytes),
    volume_free_bytes: h.volumes.map((v) => v.freeBytes),
    disk_read_bytes_per_s: n(h.diskReadBytesPerS),
    disk_write_bytes_per_s: n(h.diskWriteBytesPerS),
    net_rx_bytes_per_s: n(h.netRxBytesPerS),
    net_tx_bytes_per_s: n(h.netTxBytesPerS),
    batch_seq: id.batch_seq,
  };
}

function eventRow(id: BatchIdentity, e: RuntimeEvent, seq: number, now: number): Record<string, unknown> {
  checkTs(e.tsUnixMs, `events[${seq}]`, now);
  return {
    tenant: id.tenant,
    host: id.host,
    agent_id: id.agent_id,
    ...splitTs(e.tsUnixMs),
    batch_seq: id.batch_seq,
    seq,
    gpu_index: n(e.gpuIndex),
    ...eventColumns(e, seq),
  };
}

/** Total rows an Export would write; checked against the configured bound before any work. */
export function countRows(req: ExportRequest): number {
  return req.gpuSamples.length + req.hostSamples.length + req.events.length + req.gpuStatus.length;
}

export function toRows(tenant: string, req: ExportRequest, now = Date.now()): { id: BatchIdentity; rows: IngestRows } {
  if (!ID.test(req.agentId)) throw new AppError('COL_ERR_INGEST_INVALID', 'agent_id is missing or not an identifier ([A-Za-z0-9_.:@-], 1-128 chars)');
  if (!Number.isSafeInteger(req.batchSeq) || req.batchSeq <= 0) throw new AppError('COL_ERR_INGEST_INVALID', 'batch_seq must be a positive integer');
  const hostname = req.host?.hostname ?? '';
  if (hostname === '' || hostname.length > 253) throw new AppError('COL_ERR_INGEST_INVALID', 'host.hostname is missing');
  const id: BatchIdentity = { tenant, agent_id: req.agentId, batch_seq: req.batchSeq, host: hostname };
  const labels = Object.entries(req.host?.labels ?? {});
  const split = createTsSplitter();
  const rows: IngestRows = {
    gpu_samples: req.gpuSamples.map((g) => gpuRow(id, g, now, split)),
    host_samples: req.hostSamples.map((h) => hostRow(id, h, now, split)),
    runtime_events: req.events.map((e, i) => eventRow(id, e, i, now)),
    gpu_status: req.gpuStatus.map((s, i) => {
      checkTs(s.tsUnixMs, `gpu_status[${i}]`, now);
      return {
        tenant,
        host: hostname,
        agent_id: req.agentId,
        ...splitTs(s.tsUnixMs),
        gpu_index: s.gpuIndex,
        gpu_uuid: s.gpuUuid,
        status: s.status,
        xid: n(s.xid),
        detail: s.detail.slice(0, 1000),
        batch_seq: req.batchSeq,
        seq: i,
      };
    }),
    hosts: [
      {
        tenant,
        host: hostname,
        agent_id: req.agentId,
        driver_version: req.host?.driverVersion ?? '',
        cuda_version: req.host?.cudaVersion ?? '',
        agent_version: req.host?.agentVersion ?? '',
        labels_keys: labels.map(([k]) => k),
        labels_values: labels.map(([, v]) => v),
        last_seen: splitTs(now).ts,
      },
    ],
  };
  return { id, rows };
}
