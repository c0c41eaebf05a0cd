// NVLink through NVML: the active links (nvmlDeviceGetNvLinkState, asked once per GPU at start) and
// the throughput counters NVML_FI_DEV_NVLINK_THROUGHPUT_RAW_TX / _RX (field ids 140 / 141: cumulative
// KiB of data plus protocol overhead since the driver loaded; scopeId 0xFFFFFFFF sums all links), read
// with one nvmlDeviceGetFieldValues call per sample on GPUs with an active link. The rate over the
// sampling interval is what dcgm-exporter's DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL shows (docs/metrics.md).
import type { NvmlFieldAnswer, NvmlHandle, NvmlLib } from './nvml-lib.js';
import type { NvlinkReadings } from './sampler.js';

/** NVML_FI_DEV_NVLINK_THROUGHPUT_RAW_TX, _RAW_RX. */
export const NVLINK_RAW_FIELDS: readonly number[] = [140, 141];
/** nvmlFieldValue_t.scopeId asking the sum over all links. */
export const ALL_LINKS = 0xffffffff;
/** NVML_NVLINK_MAX_LINKS (nvml.h, Blackwell: 18). */
const MAX_LINKS = 18;

/** Active NVLink links of a GPU; undefined when it has no NVLink (NOT_SUPPORTED on link 0) or none is up. */
export function activeNvlinks(lib: NvmlLib, h: NvmlHandle): number | undefined {
  let active = 0;
  for (let link = 0; link < MAX_LINKS; link++) {
    const r = lib.nvlinkActive(h, link);
    if (!r.ok) break; // NOT_SUPPORTED (no NVLink) or INVALID_ARGUMENT past the GPU's last link
    if (r.value) active++;
  }
  return active === 0 ? undefined : active;
}

/** The previous counter reading of one GPU, for the rate. */
export interface NvlinkPrevious {
  tsMs: number;
  txBytes: number;
  rxBytes: number;
}

/**
 * Readings from one answer of NVLINK_RAW_FIELDS (KiB → bytes) and the previous one: the rate is
 * (Δtx + Δrx) / Δt, absent on the first sample, when time did not advance or a counter went back
 * (driver reload). Returns the readings and what to keep for the next sample.
 */
export function nvlinkReadings(
  links: number,
  answers: readonly NvmlFieldAnswer[] | undefined,
  tsMs: number,
  prev: NvlinkPrevious | undefined,
): { readings: NvlinkReadings; keep: NvlinkPrevious | undefined } {
  const [tx, rx] = answers ?? [];
  if (tx?.ok !== true || rx?.ok !== true) return { readings: { links_active: links }, keep: undefined };
  const now = { tsMs, txBytes: tx.value * 1024, rxBytes: rx.value * 1024 };
  const readings: NvlinkReadings = { links_active: links, raw_tx_bytes_total: now.txBytes, raw_rx_bytes_total: now.rxBytes };
  if (prev !== undefined && tsMs > prev.tsMs && now.txBytes >= prev.txBytes && now.rxBytes >= prev.rxBytes) {
    readings.raw_bytes_per_s = (now.txBytes - prev.txBytes + (now.rxBytes - prev.rxBytes)) / ((tsMs - prev.tsMs) / 1000);
  }
  return { readings, keep: now };
}
