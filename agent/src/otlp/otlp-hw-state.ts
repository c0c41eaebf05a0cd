// State behind the hardware semantic-convention instruments that are not a reading of the last
// sample: hw.status (ok / degraded / failed per GPU, failed from a `lost` status until `recovered`)
// and hw.gpu.io (cumulative PCIe bytes, integrated from the sampled rate once per sample).
import type { Attributes } from '@opentelemetry/api';
import type { GpuSnapshot, GpuStatusChange } from '../sampling/sampler.js';

export const HW_STATES = ['ok', 'degraded', 'failed'] as const;
export type HwState = (typeof HW_STATES)[number];

/** A gap longer than this between two samples is not integrated (no traffic is invented across it). */
const MAX_GAP_MS = 60_000;

/** hw.* attributes of one GPU (semantic conventions, hardware/gpu): hw.id is required; the rest when known. */
export function gpuAttributes(g: GpuSnapshot): Attributes {
  const a: Attributes = { 'hw.id': g.uuid ?? `gpu-${g.index}`, 'hw.type': 'gpu', 'hw.vendor': 'NVIDIA', 'renderwatch.gpu.index': g.index };
  if (g.name !== undefined) {
    a['hw.name'] = g.name;
    a['hw.model'] = g.name;
  }
  if (g.driver_version !== undefined) a['hw.driver_version'] = g.driver_version;
  return a;
}

/** Degraded: the driver asks for a recovery action or a memory row could not be remapped. */
export function stateOf(g: GpuSnapshot): HwState {
  const p = g.peer;
  if (p === undefined) return 'ok';
  return (p.recovery_action ?? 0) > 0 || p.remapped_rows_failure === true || p.remapped_rows_pending === true ? 'degraded' : 'ok';
}

interface IoTotals {
  attrs: Attributes;
  rx: number;
  tx: number;
  lastTs: number;
}

export interface HwStateTracker {
  readonly io: ReadonlyMap<string, IoTotals>;
  observeGpus(gpus: readonly GpuSnapshot[]): void;
  observeStatus(c: GpuStatusChange): void;
  /** The state of every GPU of the last sample, and of every GPU lost since. */
  statuses(latest: readonly GpuSnapshot[]): { attrs: Attributes; state: HwState }[];
}

export function createHwState(): HwStateTracker {
  const io = new Map<string, IoTotals>();
  const known = new Map<string, Attributes>();
  const lost = new Map<string, Attributes>();
  return {
    io,
    observeGpus(gpus) {
      for (const g of gpus) {
        const attrs = gpuAttributes(g);
        const id = String(attrs['hw.id']);
        known.set(id, attrs);
        if (g.pcie_rx_bytes_per_s === undefined || g.pcie_tx_bytes_per_s === undefined) continue;
        const t = io.get(id);
        if (t === undefined) {
          io.set(id, { attrs, rx: 0, tx: 0, lastTs: g.ts_unix_ms });
          continue;
        }
        const dt = g.ts_unix_ms - t.lastTs;
        if (dt > 0 && dt <= MAX_GAP_MS) {
          t.rx += (g.pcie_rx_bytes_per_s * dt) / 1000;
          t.tx += (g.pcie_tx_bytes_per_s * dt) / 1000;
        }
        t.lastTs = g.ts_unix_ms;
        t.attrs = attrs;
      }
    },
    observeStatus(c) {
      if (c.status === 'lost') lost.set(c.gpu_uuid, known.get(c.gpu_uuid) ?? { 'hw.id': c.gpu_uuid, 'hw.type': 'gpu', 'renderwatch.gpu.index': c.gpu_index });
      else if (c.status === 'recovered') lost.delete(c.gpu_uuid);
    },
    statuses(latest) {
      const out: { attrs: Attributes; state: HwState }[] = [];
      for (const g of latest) {
        const attrs = gpuAttributes(g);
        if (!lost.has(String(attrs['hw.id']))) out.push({ attrs, state: stateOf(g) });
      }
      for (const attrs of lost.values()) out.push({ attrs, state: 'failed' });
      return out;
    },
  };
}
