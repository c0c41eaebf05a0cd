// GPU sampling through NVML (koffi FFI, no subprocess). A failed read never rejects `sample()`:
// NOT_SUPPORTED fields are absent (and not asked again), GPU_IS_LOST marks that GPU lost (one
// `lost` status, the other GPUs keep being sampled, a `recovered` status when it answers again),
// other failures are counted and logged once per interval per GPU.
import { decodeClockEventReasons } from '@renderwatch/schema';
import type { Logger } from 'pino';
import { AgentError } from '../errors.js';
import { createFailureReporter, type SampleErrorCounter } from './failure-reporter.js';
import { NVML_SUCCESS, NvmlError, isAbsentReturn, isGpuLostReturn } from './nvml-errors.js';
import { loadNvml, type NvmlHandle, type NvmlLib, type NvmlResult } from './nvml-lib.js';
import { startXidWatcher, type XidWatcher } from './nvml-xid.js';
import { createGpmReader } from './nvml-gpm.js';
import { ALL_LINKS, NVLINK_RAW_FIELDS, activeNvlinks, nvlinkReadings, type NvlinkPrevious } from './nvml-nvlink.js';
import { PEER_FIELDS, readPeer } from './nvml-peer.js';
import type { GpmReadings, GpuSampleResult, GpuSampler, GpuSnapshot, GpuStatusChange, MigDeviceSnapshot } from './sampler.js';
import { compact } from './smi-values.js';

export interface NvmlSamplerOptions {
  /** Path of libnvidia-ml (default `libnvidia-ml.so.1`), e.g. the fake in tests. */
  libPath?: string;
  /** An already loaded library (tests). */
  lib?: NvmlLib;
  log?: Logger;
  counter?: SampleErrorCounter;
  /** Sampling interval: failures are logged at most once per interval per GPU. */
  intervalMs?: number;
  now?: () => number;
  /** Read PCIe throughput (default true). Each read blocks ~20 ms in the driver, so it runs on koffi worker threads. */
  pcie?: boolean;
  /**
   * Read PCIe throughput on every n-th sample only (default 10); the samples in between carry the
   * last reading. NVML's figure is a 20 ms window, not an average over the interval, so reading it
   * more often adds cost (16 worker-thread calls a second on 8 GPUs) without adding coverage.
   */
  pcieEverySamples?: number;
  /** Watch XID events (default true); each wait holds one koffi worker for up to xidWaitMs. */
  watchXid?: boolean;
  xidWaitMs?: number;
  /** Read GPM (SM / tensor / DRAM activity) where the GPU supports it (default true; nvml-gpm.ts). */
  gpm?: boolean;
}

export interface NvmlSampler extends GpuSampler {
  readonly source: 'nvml';
  readonly gpuCount: number;
  /** XID events seen per GPU UUID and XID code (counters, never a sticky "last XID"). */
  xidCounts(): ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Sampling failures counted so far. */
  readonly failures: number;
}

interface GpuState {
  index: number;
  handle: NvmlHandle;
  uuid: string;
  name?: string;
  pciBusId?: string;
  smMax?: number;
  memMax?: number;
  lost: boolean;
  /** nvmlGpmQueryDeviceSupport said yes (Hopper and later). */
  gpm: boolean;
  /** Active NVLink links (nvmlDeviceGetNvLinkState at start); undefined without NVLink. */
  nvlinkLinks?: number;
  /** The last NVLink counter reading, for the rate. */
  nvlinkPrev?: NvlinkPrevious;
  /** Fields NVML said it does not support on this GPU: never asked again. */
  unsupported: Set<string>;
}

const RUNBOOK = 'docs/runbooks/gpu-sampling.md';

const value = <T>(r: NvmlResult<T>): T | undefined => (r.ok ? r.value : undefined);

/** Loads NVML and initialises it. Throws AGT_ERR_NVML_LIB_MISSING or the typed NVML init error. */
export function createNvmlSampler(opts: NvmlSamplerOptions = {}): NvmlSampler {
  const lib = opts.lib ?? loadNvml(opts.libPath);
  const log = opts.log?.child({ module: 'sampling.nvml' });
  const now = opts.now ?? Date.now;
  const initRc = lib.init();
  if (initRc !== NVML_SUCCESS) throw new NvmlError('nvmlInit_v2', initRc);
  const failures = createFailureReporter({
    source: 'nvml',
    intervalMs: opts.intervalMs ?? 1000,
    now,
    runbook: RUNBOOK,
    ...(log === undefined ? {} : { log }),
    ...(opts.counter === undefined ? {} : { counter: opts.counter }),
  });
  const driverVersion = value(lib.driverVersion());
  const cuda = value(lib.cudaVersion());
  const cudaVersion = cuda === undefined ? undefined : `${Math.floor(cuda / 1000)}.${Math.floor((cuda % 1000) / 10)}`;
  const count = lib.deviceCount();
  if (!count.ok) {
    lib.shutdown();
    throw new NvmlError('nvmlDeviceGetCount_v2', count.rc);
  }
  const gpm = opts.gpm === false || lib.gpm === undefined ? undefined : { lib: lib.gpm, reader: createGpmReader(lib.gpm) };
  const gpus: GpuState[] = [];
  for (let i = 0; i < count.value; i++) {
    const h = lib.handle(i);
    if (!h.ok) {
      failures.report(`gpu:${i}`, new NvmlError('nvmlDeviceGetHandleByIndex_v2', h.rc), { gpu_index: i });
      continue;
    }
    gpus.push({
      index: i,
      handle: h.value,
      uuid: value(lib.uuid(h.value)) ?? `GPU-index-${i}`,
      name: value(lib.name(h.value)),
      pciBusId: value(lib.pciBusId(h.value)),
      smMax: value(lib.maxClock(h.value, 'sm')),
      memMax: value(lib.maxClock(h.value, 'mem')),
      lost: false,
      gpm: gpm !== undefined && value(gpm.lib.supported(h.value)) === true,
      nvlinkLinks: activeNvlinks(lib, h.value),
      unsupported: new Set(),
    });
  }
  log?.info({ gpus: gpus.length, driver_version: driverVersion, lib: lib.path }, 'nvml sampler started');

  const pending: GpuStatusChange[] = [];
  const xidCounts = new Map<string, Map<number, number>>();
  const xid: XidWatcher | undefined =
    opts.watchXid === false
      ? undefined
      : startXidWatcher({
          lib,
          devices: gpus.map((g) => ({ index: g.index, uuid: g.uuid, handle: g.handle })),
          waitMs: opts.xidWaitMs ?? 500,
          now,
          failures,
          onXid(dev, code, ts) {
            const perGpu = xidCounts.get(dev.uuid) ?? new Map<number, number>();
            perGpu.set(code, (perGpu.get(code) ?? 0) + 1);
            xidCounts.set(dev.uuid, perGpu);
            pending.push({ ts_unix_ms: ts, gpu_index: dev.index, gpu_uuid: dev.uuid, status: 'xid', xid: code, detail: `XID ${code}` });
          },
        });

  /** One GPU; returns undefined when it is lost (status recorded). */
  function sampleGpu(g: GpuState, ts: number, status: GpuStatusChange[]): GpuSnapshot | undefined {
    let lostRc: number | undefined;
    let firstError: NvmlError | undefined;
    const read = <T>(field: string, fn: string, call: () => NvmlResult<T>): T | undefined => {
      if (lostRc !== undefined || g.unsupported.has(field)) return undefined;
      const r = call();
      if (r.ok) return r.value;
      if (isAbsentReturn(r.rc)) g.unsupported.add(field);
      else if (isGpuLostReturn(r.rc)) lostRc = r.rc;
      else firstError ??= new NvmlError(fn, r.rc);
      return undefined;
    };
    const h = g.handle;
    const mem = read('memory', 'nvmlDeviceGetMemoryInfo', () => lib.memory(h));
    if (g.lost) {
      if (lostRc !== undefined || mem === undefined) return undefined;
      g.lost = false;
      status.push({ ts_unix_ms: ts, gpu_index: g.index, gpu_uuid: g.uuid, status: 'recovered', detail: 'GPU answers NVML again' });
      log?.info({ gpu_index: g.index, gpu_uuid: g.uuid }, 'gpu recovered');
    }
    const util = read('utilization', 'nvmlDeviceGetUtilizationRates', () => lib.utilization(h));
    const temperature = read('temperature', 'nvmlDeviceGetTemperature', () => lib.temperature(h));
    const powerMw = read('power', 'nvmlDeviceGetPowerUsage', () => lib.powerMw(h));
    const limitMw = read('power_limit', 'nvmlDeviceGetEnforcedPowerLimit', () => lib.powerLimitMw(h));
    const energyMj = read('energy', 'nvmlDeviceGetTotalEnergyConsumption', () => lib.energyMj(h));
    const sm = read('sm_clock', 'nvmlDeviceGetClockInfo', () => lib.clock(h, 'sm'));
    const memClock = read('mem_clock', 'nvmlDeviceGetClockInfo', () => lib.clock(h, 'mem'));
    const mask = read('reasons', 'nvmlDeviceGetCurrentClocksEventReasons', () => lib.clockEventReasons(h));
    const fan = read('fan', 'nvmlDeviceGetFanSpeed', () => lib.fanPercent(h));
    const eccC = read('ecc', 'nvmlDeviceGetTotalEccErrors', () => lib.eccTotal(h, 'corrected'));
    const eccU = read('ecc', 'nvmlDeviceGetTotalEccErrors', () => lib.eccTotal(h, 'uncorrected'));
    const vPower = read('violation', 'nvmlDeviceGetViolationStatus', () => lib.violationNs(h, 'power'));
    const vThermal = read('violation', 'nvmlDeviceGetViolationStatus', () => lib.violationNs(h, 'thermal'));
    const procs = read('processes', 'nvmlDeviceGetComputeRunningProcesses_v3', () => lib.computeProcesses(h));
    const mig = read('mig', 'nvmlDeviceGetMigMode', () => lib.migMode(h));
    const fields = read('fields', 'nvmlDeviceGetFieldValues', () => lib.fieldValues(h, PEER_FIELDS));
    const peer = readPeer(lib, h, read, fields);
    const gpmNow = g.gpm ? read('gpm', 'nvmlGpmSampleGet', () => readGpm(String(g.index), h)) : undefined;
    const nvlink = g.nvlinkLinks === undefined ? undefined : readNvlink(g, g.nvlinkLinks, ts, read);
    const migDevices = mig === true ? readMig(g) : undefined;
    if (lostRc !== undefined) {
      g.lost = true;
      const err = new NvmlError('nvmlDevice*', lostRc);
      failures.report(`gpu:${g.index}`, err, { gpu_index: g.index, gpu_uuid: g.uuid });
      status.push({ ts_unix_ms: ts, gpu_index: g.index, gpu_uuid: g.uuid, status: 'lost', detail: err.message });
      log?.error({ gpu_index: g.index, gpu_uuid: g.uuid, nvml: err.nvmlName, runbook: RUNBOOK }, 'gpu lost');
      return undefined;
    }
    if (firstError !== undefined) failures.report(`gpu:${g.index}`, firstError, { gpu_index: g.index, gpu_uuid: g.uuid });
    return compact<GpuSnapshot>({
      ts_unix_ms: ts,
      index: g.index,
      uuid: g.uuid,
      name: g.name,
      driver_version: driverVersion,
      cuda_version: cudaVersion,
      pci_bus_id: g.pciBusId,
      utilization_gpu_ratio: util === undefined ? undefined : util.gpu / 100,
      utilization_memory_ratio: util === undefined ? undefined : util.memory / 100,
      memory_used_bytes: mem?.used,
      memory_total_bytes: mem?.total,
      memory_reserved_bytes: mem?.reserved,
      temperature_celsius: temperature,
      power_draw_watts: powerMw === undefined ? undefined : powerMw / 1000,
      power_limit_watts: limitMw === undefined ? undefined : limitMw / 1000,
      energy_joules: energyMj === undefined ? undefined : energyMj / 1000,
      sm_clock_mhz: sm,
      sm_clock_max_mhz: g.smMax,
      memory_clock_mhz: memClock,
      memory_clock_max_mhz: g.memMax,
      fan_ratio: fan === undefined ? undefined : fan / 100,
      clock_event_reasons_mask: mask,
      clock_event_reasons: mask === undefined ? undefined : decodeClockEventReasons(mask),
      ecc_corrected_total: eccC,
      ecc_uncorrected_total: eccU,
      throttle_power_us: vPower === undefined ? undefined : Math.floor(vPower / 1000),
      throttle_thermal_us: vThermal === undefined ? undefined : Math.floor(vThermal / 1000),
      mig_enabled: mig,
      mig_devices: migDevices,
      processes: procs?.map((p) => compact({ pid: p.pid, used_memory_bytes: p.usedBytes })),
      clock_event_reason_counters_us: peer.clockEventUs,
      peer: gpmNow === undefined && nvlink === undefined ? peer.readings : compact({ ...peer.readings, gpm: gpmNow, nvlink }),
    });
  }

  function readMig(g: GpuState): MigDeviceSnapshot[] {
    const out: MigDeviceSnapshot[] = [];
    // GPM per GPU instance, once per sample however many compute instances (MIG devices) it hosts.
    const instanceGpm = new Map<number, GpmReadings | undefined>();
    const gpmOf = (gi: number): GpmReadings | undefined => {
      if (!instanceGpm.has(gi)) instanceGpm.set(gi, readMigGpm(g, gi));
      return instanceGpm.get(gi);
    };
    for (let i = 0; i < 8; i++) {
      const d = lib.migDevice(g.handle, i);
      if (!d.ok) continue;
      const m = value(lib.memory(d.value));
      const gi = value(lib.gpuInstanceId(d.value));
      out.push(
        compact<MigDeviceSnapshot>({
          gpu_instance_id: gi,
          compute_instance_id: value(lib.computeInstanceId(d.value)),
          uuid: value(lib.uuid(d.value)),
          profile: migProfile(value(lib.name(d.value))),
          memory_used_bytes: m?.used,
          memory_total_bytes: m?.total,
          memory_reserved_bytes: m?.reserved,
          gpm: gi === undefined ? undefined : gpmOf(gi),
        }),
      );
    }
    // A GPU instance destroyed since the last sample: its GPM sample buffers are freed.
    const prefix = `${g.index}/`;
    if (g.gpm) gpm?.reader.retain((k) => !k.startsWith(prefix) || instanceGpm.has(Number(k.slice(prefix.length))));
    return out;
  }

  /** NVLink counters of all links (one nvmlDeviceGetFieldValues call) and the rate since the last sample. */
  function readNvlink(g: GpuState, links: number, ts: number, read: <T>(field: string, fn: string, call: () => NvmlResult<T>) => T | undefined) {
    const answers = read('nvlink', 'nvmlDeviceGetFieldValues', () => lib.fieldValues(g.handle, NVLINK_RAW_FIELDS, ALL_LINKS));
    const r = nvlinkReadings(links, answers, ts, g.nvlinkPrev);
    g.nvlinkPrev = r.keep;
    return r.readings;
  }

  /** GPM over the window since the last sample; ok with no value on the first sample. */
  function readGpm(key: string, h: NvmlHandle, gi?: number): NvmlResult<GpmReadings | undefined> {
    const r = gpm === undefined ? { rc: NVML_SUCCESS } : gpm.reader.read(key, h, gi);
    if (r.rc !== NVML_SUCCESS) return { ok: false, rc: r.rc };
    return { ok: true, value: r.readings === undefined || Object.keys(r.readings).length === 0 ? undefined : r.readings };
  }

  /** One GPU instance's GPM (nvmlGpmMigSampleGet); unsupported answers stop the asking for this GPU. */
  function readMigGpm(g: GpuState, gi: number): GpmReadings | undefined {
    if (!g.gpm || g.unsupported.has('gpm_mig')) return undefined;
    const r = readGpm(`${g.index}/${gi}`, g.handle, gi);
    if (r.ok) return r.value;
    if (isAbsentReturn(r.rc)) g.unsupported.add('gpm_mig');
    else if (!isGpuLostReturn(r.rc)) failures.report(`gpu:${g.index}`, new NvmlError('nvmlGpmMigSampleGet', r.rc), { gpu_index: g.index });
    return undefined;
  }

  /** Both PCIe directions of one GPU (KB/s), or undefined when off, unsupported, lost or failed. */
  async function readPcie(g: GpuState): Promise<{ tx: number; rx: number } | undefined> {
    if (opts.pcie === false || g.lost || g.unsupported.has('pcie')) return undefined;
    const [tx, rx] = await Promise.all([lib.pcieKbPerSAsync(g.handle, 'tx'), lib.pcieKbPerSAsync(g.handle, 'rx')]);
    if (tx.ok && rx.ok) return { tx: tx.value, rx: rx.value };
    const rc = tx.ok ? (rx.ok ? 0 : rx.rc) : tx.rc;
    if (isAbsentReturn(rc)) g.unsupported.add('pcie');
    else if (!isGpuLostReturn(rc)) failures.report(`gpu:${g.index}`, new NvmlError('nvmlDeviceGetPcieThroughput', rc), { gpu_index: g.index });
    return undefined;
  }

  const pcieEvery = Math.max(1, Math.floor(opts.pcieEverySamples ?? 10));
  const lastPcie = new Map<GpuState, { tx: number; rx: number } | undefined>();
  let sampleNo = 0;
  let closed = false;
  return {
    source: 'nvml',
    gpuCount: gpus.length,
    get failures() {
      return failures.count;
    },
    xidCounts: () => xidCounts,
    sample(): Promise<GpuSampleResult> {
      if (closed) return Promise.resolve({ gpus: [], status: [] });
      const ts = now();
      const status = pending.splice(0, pending.length);
      // PCIe reads block ~20 ms each in the driver: started first on worker threads, joined after;
      // only every pcieEvery-th sample, the others carry the last reading (docs/metrics.md).
      const pcie = sampleNo++ % pcieEvery === 0 ? new Map(gpus.map((g) => [g, readPcie(g)] as const)) : undefined;
      const out: GpuSnapshot[] = [];
      for (const g of gpus) {
        try {
          const s = sampleGpu(g, ts, status);
          if (s !== undefined) out.push(s);
        } catch (err: unknown) {
          // A koffi marshalling failure is a bug, but the daemon never dies from a bad sample.
          failures.report(`gpu:${g.index}`, err, { gpu_index: g.index });
        }
      }
      if (pcie === undefined) {
        for (const s of out) {
          const g = gpus.find((x) => x.index === s.index);
          withPcie(s, g === undefined || g.lost ? undefined : lastPcie.get(g));
        }
        return Promise.resolve({ gpus: out, status });
      }
      return Promise.all(
        out.map(async (s) => {
          const g = gpus.find((x) => x.index === s.index);
          if (g === undefined) return s;
          const t = await pcie.get(g);
          lastPcie.set(g, t);
          return withPcie(s, t);
        }),
      ).then((read) => ({ gpus: read, status }));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await xid?.stop();
      gpm?.reader.close();
      const rc = lib.shutdown();
      if (rc !== NVML_SUCCESS) log?.warn({ err: new NvmlError('nvmlShutdown', rc) }, 'nvml shutdown failed');
    },
  };
}

/** Puts a PCIe reading (KB/s) on a fresh snapshot, as bytes per second. */
function withPcie(s: GpuSnapshot, t: { tx: number; rx: number } | undefined): GpuSnapshot {
  if (t !== undefined) {
    s.pcie_tx_bytes_per_s = t.tx * 1024;
    s.pcie_rx_bytes_per_s = t.rx * 1024;
  }
  return s;
}

/** `NVIDIA H100 80GB HBM3 MIG 1c.2g.20gb` → `1c.2g.20gb` (NVML names a MIG device after its profile). */
function migProfile(name: string | undefined): string | undefined {
  return name === undefined ? undefined : /\bMIG (\S+)$/.exec(name)?.[1];
}

/** True when the error means "NVML is not usable here" (so the caller falls back to nvidia-smi). */
export function isNvmlUnavailable(err: unknown): boolean {
  return err instanceof AgentError && err.code.startsWith('AGT_ERR_NVML_');
}
