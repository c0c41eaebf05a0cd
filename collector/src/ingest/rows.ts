// Converts a decoded ExportRequest into table rows. Validation happens here, once, at the edge:
// after this everything downstream trusts the rows. The tenant comes from the caller (the token),
// never from the payload.
import type { ExportRequest, GpuSample, HostSample, RuntimeEvent } from '@renderwatch/proto';
import { AppError } from '../errors.js';
import { eventColumns } from './event-columns.js';
import { createByteSlab } from './row-slab.js';
import { splitTs } from '../domain/time.js';

/**
 * The JSONEachRow bytes (UTF-8) of a batch's rows in one table (lines ending in `\n`; empty for
 * none). Built when the batch is converted, on the call: what waits in a group for its INSERT is
 * one Buffer per table per batch (memory outside the JS heap), while the decoded request and the
 * row strings die young. (Text built lazily at write time kept the decoded request alive through
 * the linger; row strings kept on the call kept ~30 strings a row alive: both cost more GC.)
 */
export type RowsText = Buffer;
// (gpu_samples and host_samples: views into shared slabs, ./row-slab.ts.)

/** A batch's rows: the four sample/event tables as JSONEachRow bytes, `hosts` as objects. */
export interface IngestRows {
  gpu_samples: RowsText;
  host_samples: RowsText;
  runtime_events: RowsText;
  gpu_status: RowsText;
  hosts: Record<string, unknown>[];
}

export interface BatchIdentity {
  tenant: string;
  agent_id: string;
  batch_seq: number;
  host: string;
}

const ID = /^[\w.:@-]{1,128}$/;
/** A control character, or U+FFFD (bytes that were not UTF-8, replaced by the decoder). */
function badNameChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}
/** Samples more than this far in the future are rejected (clock skew guard), ms. */
const MAX_FUTURE_MS = 10 * 60_000;
/** ... and older than this (a spool may hold a few days), ms. */
const MAX_PAST_MS = 400 * 24 * 3600_000;
/** The longest time one GPU sample may stand for (`interval_ms`, GPU-hours), ms. */
const MAX_INTERVAL_MS = 3600_000;

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

// gpu_samples and host_samples (nearly every row) are written straight as JSONEachRow text: the
// same text JSON.stringify would give for the row object (same keys, same order, absent values left
// out, a non-finite number as null), without building the object first (rows.test.ts checks
// the text against JSON.stringify of the object over generated samples).

/** `,"key":value` for an optional number; '' when absent (JSON.stringify leaves undefined out). */
const num = (key: string, v: number | undefined): string => (v === undefined ? '' : `,"${key}":${Number.isFinite(v) ? v : 'null'}`);
const str = (s: string): string => JSON.stringify(s);
const numArray = (a: readonly number[]): string => (a.length === 0 ? '[]' : `[${a.map((v) => (Number.isFinite(v) ? v : 'null')).join(',')}]`);
const strArray = (a: readonly string[]): string => (a.length === 0 ? '[]' : `[${a.map(str).join(',')}]`);

/** The rows' shared `{"tenant":..,"host":..,"agent_id":..,"ts":"` prefix and `,"batch_seq":N}` end, per batch and second. */
interface LineParts {
  /** `{"tenant":"t","host":"h","agent_id":"a","ts":"<second>","ts_ms":` for the second of `unixMs`. */
  head(unixMs: number): string;
  tail: string;
}

/** Reuses the text of the last second seen: a batch's rows share a handful of timestamps. */
function createLineParts(id: BatchIdentity): LineParts {
  const ids = `{"tenant":${str(id.tenant)},"host":${str(id.host)},"agent_id":${str(id.agent_id)},"ts":"`;
  let lastS = Number.NaN;
  let lastHead = '';
  return {
    head(unixMs) {
      const s = Math.floor(unixMs / 1000);
      if (s !== lastS) {
        lastS = s;
        lastHead = `${ids}${splitTs(s * 1000).ts}","ts_ms":`;
      }
      return lastHead + String(unixMs - s * 1000);
    },
    tail: `,"batch_seq":${id.batch_seq}}\n`,
  };
}

function checkGpu(g: GpuSample, now: number): void {
  checkTs(g.tsUnixMs, `gpu_samples[${g.index}]`, now);
  if (g.uuid === '' && g.name === '') throw new AppError('COL_ERR_INGEST_INVALID', `gpu_samples[${g.index}]: uuid and name both empty`);
  ratio(g.utilizationGpuRatio, 'utilization_gpu_ratio');
  ratio(g.utilizationMemoryRatio, 'utilization_memory_ratio');
  if (g.intervalMs !== undefined && g.intervalMs > MAX_INTERVAL_MS) {
    throw new AppError(
      'COL_ERR_INGEST_INVALID',
      `gpu_samples[${g.index}]: interval_ms ${g.intervalMs} is over an hour (agents send at most 3 sampling intervals)`,
    );
  }
  const e = g.energyDeltaJoules;
  if (e !== undefined && !(Number.isFinite(e) && e >= 0))
    throw new AppError('COL_ERR_INGEST_INVALID', `gpu_samples[${g.index}]: energy_delta_joules must be a finite number >= 0 (${e})`);
}

/** A ratio already checked by `ratio()`, clamped as it clamps. */
const clamped = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.min(v, 1));

function gpuLine(g: GpuSample, p: LineParts): string {
  const procs = g.processes;
  return (
    `${p.head(g.tsUnixMs)},"gpu_index":${g.index},"gpu_uuid":${str(g.uuid === '' ? `index-${g.index}` : g.uuid)},"gpu_name":${str(g.name)}` +
    num('util_ratio', clamped(g.utilizationGpuRatio)) +
    num('mem_util_ratio', clamped(g.utilizationMemoryRatio)) +
    num('mem_used_bytes', g.memoryUsedBytes) +
    num('mem_total_bytes', g.memoryTotalBytes) +
    num('mem_reserved_bytes', g.memoryReservedBytes) +
    num('temp_celsius', g.temperatureCelsius) +
    num('power_draw_watts', g.powerDrawWatts) +
    num('power_limit_watts', g.powerLimitWatts) +
    num('energy_joules', g.energyJoules) +
    num('sm_clock_mhz', g.smClockMhz) +
    num('sm_clock_max_mhz', g.smClockMaxMhz) +
    num('mem_clock_mhz', g.memoryClockMhz) +
    num('mem_clock_max_mhz', g.memoryClockMaxMhz) +
    num('fan_ratio', g.fanRatio) +
    num('clock_event_reasons', g.clockEventReasonsMask) +
    num('pcie_tx_bytes_per_s', g.pcieTxBytesPerS) +
    num('pcie_rx_bytes_per_s', g.pcieRxBytesPerS) +
    num('ecc_corrected_total', g.eccCorrectedTotal) +
    num('ecc_uncorrected_total', g.eccUncorrectedTotal) +
    num('throttle_thermal_us', g.throttleThermalUs) +
    num('throttle_power_us', g.throttlePowerUs) +
    num('interval_ms', g.intervalMs) +
    num('energy_delta_joules', g.energyDeltaJoules) +
    `,"mig_enabled":${g.migEnabled ? 1 : 0}` +
    (procs.length === 0
      ? ',"process_pids":[],"process_names":[],"process_runtimes":[],"process_mem_bytes":[]'
      : `,"process_pids":${numArray(procs.map((x) => x.pid))},"process_names":${strArray(procs.map((x) => x.name))}` +
        `,"process_runtimes":${strArray(procs.map((x) => x.runtime))},"process_mem_bytes":${numArray(procs.map((x) => x.usedMemoryBytes ?? 0))}`) +
    p.tail
  );
}

function checkHost(h: HostSample, now: number): void {
  checkTs(h.tsUnixMs, 'host_samples', now);
  ratio(h.cpuRatio, 'cpu_ratio');
}

function hostLine(h: HostSample, p: LineParts): string {
  const vols = h.volumes;
  return (
    p.head(h.tsUnixMs) +
    num('cpu_ratio', clamped(h.cpuRatio)) +
    num('mem_used_bytes', h.memoryUsedBytes) +
    num('mem_total_bytes', h.memoryTotalBytes) +
    num('swap_used_bytes', h.swapUsedBytes) +
    num('swap_total_bytes', h.swapTotalBytes) +
    (vols.length === 0
      ? ',"volume_mounts":[],"volume_roles":[],"volume_size_bytes":[],"volume_free_bytes":[]'
      : `,"volume_mounts":${strArray(vols.map((v) => v.mount))},"volume_roles":${strArray(vols.map((v) => v.role))}` +
        `,"volume_size_bytes":${numArray(vols.map((v) => v.sizeBytes))},"volume_free_bytes":${numArray(vols.map((v) => v.freeBytes))}`) +
    num('disk_read_bytes_per_s', h.diskReadBytesPerS) +
    num('disk_write_bytes_per_s', h.diskWriteBytesPerS) +
    num('net_rx_bytes_per_s', h.netRxBytesPerS) +
    num('net_tx_bytes_per_s', h.netTxBytesPerS) +
    p.tail
  );
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

const jsonLine = (row: Record<string, unknown>): string => `${JSON.stringify(row)}\n`;

const EMPTY = Buffer.alloc(0);
const bytes = (text: string): Buffer => (text === '' ? EMPTY : Buffer.from(text, 'utf8'));
/** Nearly every row: encoded into shared slabs, one per table (./row-slab.ts). */
const GPU_SLAB = createByteSlab();
const HOST_SLAB = createByteSlab();

/** Total rows an Export would write; checked against the configured bound before any work. */
export function countRows(req: ExportRequest): number {
  return req.gpuSamples.length + req.hostSamples.length + req.events.length + req.gpuStatus.length;
}

export function toRows(tenant: string, req: ExportRequest, now = Date.now()): { id: BatchIdentity; rows: IngestRows } {
  if (!ID.test(req.agentId)) throw new AppError('COL_ERR_INGEST_INVALID', 'agent_id is missing or not an identifier ([A-Za-z0-9_.:@-], 1-128 chars)');
  if (!Number.isSafeInteger(req.batchSeq) || req.batchSeq <= 0) throw new AppError('COL_ERR_INGEST_INVALID', 'batch_seq must be a positive integer');
  const hostname = req.host?.hostname ?? '';
  if (hostname === '') throw new AppError('COL_ERR_INGEST_INVALID', 'host.hostname is missing');
  if (hostname.length > 253) throw new AppError('COL_ERR_INGEST_INVALID', `host.hostname is ${hostname.length} characters, over 253`);
  if (badNameChar(hostname)) throw new AppError('COL_ERR_INGEST_INVALID', 'host.hostname has control characters or bytes that are not UTF-8');
  const id: BatchIdentity = { tenant, agent_id: req.agentId, batch_seq: req.batchSeq, host: hostname };
  const labels = Object.entries(req.host?.labels ?? {});
  const gpus = req.gpuSamples;
  const hostSamples = req.hostSamples;
  for (const g of gpus) checkGpu(g, now);
  for (const h of hostSamples) checkHost(h, now);
  const events = req.events.map((e, i) => jsonLine(eventRow(id, e, i, now))).join('');
  const status = req.gpuStatus
    .map((s, i) => {
      checkTs(s.tsUnixMs, `gpu_status[${i}]`, now);
      return jsonLine({
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
      });
    })
    .join('');
  const parts = createLineParts(id);
  let gpuText = '';
  for (const g of gpus) gpuText += gpuLine(g, parts);
  let hostText = '';
  for (const h of hostSamples) hostText += hostLine(h, parts);
  const rows: IngestRows = {
    gpu_samples: GPU_SLAB.write(gpuText),
    host_samples: HOST_SLAB.write(hostText),
    runtime_events: bytes(events),
    gpu_status: bytes(status),
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
