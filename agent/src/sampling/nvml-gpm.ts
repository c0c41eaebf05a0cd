// NVML GPU Performance Monitoring (GPM, nvml.h "GPM Functions"; Hopper and later): SM activity,
// SM occupancy, tensor / FP pipe activity, DRAM bandwidth, PCIe and NVLink rates, computed by the
// driver from two samples of the GPU's performance counters. The same quantities DCGM serves as
// DCGM_FI_PROF_* (docs/metrics.md "GPM"). Each GPU (and each MIG GPU instance) keeps two sample
// buffers and one request buffer, allocated once: a tick takes one sample into the older buffer
// and asks for the metrics over the window since the previous one, so a tick allocates nothing
// in NVML or for the request.
import koffi from 'koffi';
import { NVML_ERROR_FUNCTION_NOT_FOUND, NVML_SUCCESS } from './nvml-errors.js';
import type { NvmlHandle, NvmlResult } from './nvml-lib.js';
import type { GpmReadings } from './sampler.js';

/** nvmlGpmMetricId_t ids the agent asks for, with the reading each fills. */
export const GPM_METRICS: readonly (readonly [number, keyof GpmReadings])[] = [
  [1, 'graphics_activity_ratio'],
  [2, 'sm_activity_ratio'],
  [3, 'sm_occupancy_ratio'],
  [5, 'tensor_activity_ratio'],
  [10, 'dram_activity_ratio'],
  [11, 'fp64_activity_ratio'],
  [12, 'fp32_activity_ratio'],
  [13, 'fp16_activity_ratio'],
  [20, 'pcie_tx_bytes_per_s'],
  [21, 'pcie_rx_bytes_per_s'],
  [60, 'nvlink_rx_bytes_per_s'],
  [61, 'nvlink_tx_bytes_per_s'],
];

/** NVML_GPM_METRIC_MAX of CUDA 13's nvml.h (98 before): the request struct is sized for it. */
const GPM_METRIC_MAX = 333;
const METRICS_GET_VERSION = 1;
const SUPPORT_VERSION = 1;
/** nvmlGpmMetricsGet_t: version u32, numMetrics u32, sample1 ptr, sample2 ptr, then metrics[]. */
const HEADER = 24;
/** nvmlGpmMetric_t: metricId u32, nvmlReturn i32, value f64, metricInfo (3 pointers). */
const METRIC_SIZE = 40;
const MiB = 1024 * 1024;

/** The GPM entry points of libnvidia-ml, bound on the library the agent already loaded. */
export interface NvmlGpmLib {
  supported(h: NvmlHandle): NvmlResult<boolean>;
  sampleAlloc(): NvmlResult<bigint>;
  sampleFree(s: bigint): number;
  /** nvmlGpmSampleGet, or nvmlGpmMigSampleGet for a GPU instance of `h` when `gpuInstance` is set. */
  sampleGet(h: NvmlHandle, s: bigint, gpuInstance?: number): number;
  /** nvmlGpmMetricsGet on a request buffer built by `request()`; per-metric answers stay in the buffer. */
  metricsGet(req: Buffer): number;
}

type KoffiLib = ReturnType<typeof koffi.load>;
type Fn = ReturnType<KoffiLib['func']>;
type TypeSpec = Parameters<typeof koffi.out>[0];

/** Binds the GPM functions; any missing (drivers before 520, non-Hopper builds) makes GPM absent. */
export function bindGpm(lib: KoffiLib, device: ReturnType<typeof koffi.pointer>): NvmlGpmLib | undefined {
  const fn = (name: string, args: TypeSpec[]): Fn | undefined => {
    try {
      return lib.func(name, 'int', args);
    } catch {
      return undefined;
    }
  };
  const Sample = koffi.pointer(koffi.opaque());
  const Support = koffi.struct({ version: 'uint32', isSupportedDevice: 'uint32' });
  const query = fn('nvmlGpmQueryDeviceSupport', [device, koffi.inout(koffi.pointer(Support))]);
  const alloc = fn('nvmlGpmSampleAlloc', [koffi.out(koffi.pointer(Sample))]);
  const free = fn('nvmlGpmSampleFree', [Sample]);
  const get = fn('nvmlGpmSampleGet', [device, Sample]);
  const migGet = fn('nvmlGpmMigSampleGet', [device, 'uint32', Sample]);
  const metrics = fn('nvmlGpmMetricsGet', ['void *']);
  if (query === undefined || alloc === undefined || free === undefined || get === undefined || metrics === undefined) return undefined;
  return {
    supported(h) {
      const o: Record<string, unknown> = { version: SUPPORT_VERSION, isSupportedDevice: 0 };
      const rc = Number(query(h, o));
      return rc === NVML_SUCCESS ? { ok: true, value: Number(o.isSupportedDevice) !== 0 } : { ok: false, rc };
    },
    sampleAlloc() {
      const box: unknown[] = [null];
      const rc = Number(alloc(box));
      return rc === NVML_SUCCESS ? { ok: true, value: BigInt(box[0] as bigint) } : { ok: false, rc };
    },
    sampleFree: (s) => Number(free(s)),
    sampleGet(h, s, gi) {
      if (gi === undefined) return Number(get(h, s));
      return migGet === undefined ? NVML_ERROR_FUNCTION_NOT_FOUND : Number(migGet(h, gi, s));
    },
    metricsGet: (req) => Number(metrics(req)),
  };
}

/** One GPU's (or GPU instance's) pair of samples and its request buffer. */
interface Window {
  older: bigint;
  newer: bigint;
  /** The newer buffer holds a sample (the next tick can compute a window). */
  primed: boolean;
  req: Buffer;
}

export interface GpmReader {
  /**
   * Takes a sample of `h` (or of its GPU instance `gpuInstance`) and returns the readings over the
   * window since the previous sample of the same key; undefined on the first sample or a failure
   * (`rc` says which: absent-type codes mean "not supported here").
   */
  read(key: string, h: NvmlHandle, gpuInstance?: number): { readings?: GpmReadings; rc: number };
  /** Frees the samples of keys not in `keep` (a MIG instance destroyed). */
  retain(keep: (key: string) => boolean): void;
  close(): void;
}

/** An nvmlGpmMetricsGet_t asking for GPM_METRICS (the sample pointers are written per call). */
function request(): Buffer {
  const req = Buffer.alloc(HEADER + GPM_METRIC_MAX * METRIC_SIZE);
  req.writeUInt32LE(METRICS_GET_VERSION, 0);
  req.writeUInt32LE(GPM_METRICS.length, 4);
  GPM_METRICS.forEach(([id], i) => req.writeUInt32LE(id, HEADER + i * METRIC_SIZE));
  return req;
}

export function createGpmReader(gpm: NvmlGpmLib): GpmReader {
  const windows = new Map<string, Window>();
  function open(key: string): Window | number {
    const a = gpm.sampleAlloc();
    if (!a.ok) return a.rc;
    const b = gpm.sampleAlloc();
    if (!b.ok) {
      gpm.sampleFree(a.value);
      return b.rc;
    }
    const w = { older: a.value, newer: b.value, primed: false, req: request() };
    windows.set(key, w);
    return w;
  }
  function free(w: Window): void {
    gpm.sampleFree(w.older);
    gpm.sampleFree(w.newer);
  }
  return {
    read(key, h, gi) {
      const w = windows.get(key) ?? open(key);
      if (typeof w === 'number') return { rc: w };
      // The older buffer takes the new sample; then it is the newer one.
      const rc = gpm.sampleGet(h, w.older, gi);
      if (rc !== NVML_SUCCESS) {
        w.primed = false;
        return { rc };
      }
      const prev = w.newer;
      w.newer = w.older;
      w.older = prev;
      if (!w.primed) {
        w.primed = true;
        return { rc: NVML_SUCCESS };
      }
      w.req.writeBigUInt64LE(w.older, 8);
      w.req.writeBigUInt64LE(w.newer, 16);
      const mrc = gpm.metricsGet(w.req);
      if (mrc !== NVML_SUCCESS) return { rc: mrc };
      const out: GpmReadings = {};
      GPM_METRICS.forEach(([id, name], i) => {
        const at = HEADER + i * METRIC_SIZE;
        if (w.req.readUInt32LE(at) !== id || w.req.readInt32LE(at + 4) !== NVML_SUCCESS) return;
        const v = w.req.readDoubleLE(at + 8);
        if (!Number.isFinite(v)) return;
        out[name] = name.endsWith('_ratio') ? v / 100 : v * MiB;
      });
      return { readings: out, rc: NVML_SUCCESS };
    },
    retain(keep) {
      for (const [k, w] of windows)
        if (!keep(k)) {
          free(w);
          windows.delete(k);
        }
    },
    close() {
      for (const w of windows.values()) free(w);
      windows.clear();
    },
  };
}
