// The NVML functions the agent calls, bound through koffi. Each wrapper returns an NvmlResult
// (the raw return code on failure) so the sampler decides what a failure means; nothing throws
// except `loadNvml` when the library itself cannot be loaded.
import koffi from 'koffi';
import { AgentError } from '../errors.js';
import { NVML_ERROR_FUNCTION_NOT_FOUND, NVML_ERROR_INSUFFICIENT_SIZE, NVML_SUCCESS } from './nvml-errors.js';
import { bindGpm, type NvmlGpmLib } from './nvml-gpm.js';

export type NvmlResult<T> = { ok: true; value: T } | { ok: false; rc: number };
/** An NVML device handle (a pointer, as koffi returns it). */
export type NvmlHandle = unknown;

export interface NvmlMemory {
  total: number;
  used: number;
  reserved?: number;
}
export interface NvmlProcess {
  pid: number;
  usedBytes?: number;
}
export interface NvmlXidEvent {
  device: NvmlHandle;
  xid: number;
}

/** Remapped-row counts (nvmlDeviceGetRemappedRows). */
export interface NvmlRemappedRows {
  correctable: number;
  uncorrectable: number;
  pending: boolean;
  failure: boolean;
}

/** One answer of nvmlDeviceGetFieldValues: its own return code and, on success, the value. */
export type NvmlFieldAnswer = { ok: true; value: number } | { ok: false; rc: number };

export interface NvmlLib {
  readonly path: string;
  init(): number;
  shutdown(): number;
  driverVersion(): NvmlResult<string>;
  cudaVersion(): NvmlResult<number>;
  deviceCount(): NvmlResult<number>;
  handle(index: number): NvmlResult<NvmlHandle>;
  uuid(h: NvmlHandle): NvmlResult<string>;
  name(h: NvmlHandle): NvmlResult<string>;
  pciBusId(h: NvmlHandle): NvmlResult<string>;
  memory(h: NvmlHandle): NvmlResult<NvmlMemory>;
  utilization(h: NvmlHandle): NvmlResult<{ gpu: number; memory: number }>;
  temperature(h: NvmlHandle): NvmlResult<number>;
  powerMw(h: NvmlHandle): NvmlResult<number>;
  powerLimitMw(h: NvmlHandle): NvmlResult<number>;
  energyMj(h: NvmlHandle): NvmlResult<number>;
  clock(h: NvmlHandle, kind: NvmlClock): NvmlResult<number>;
  maxClock(h: NvmlHandle, kind: NvmlClock): NvmlResult<number>;
  /** Performance state 0 (P0, fastest) … 15; 32 = unknown. */
  pstate(h: NvmlHandle): NvmlResult<number>;
  /** nvmlComputeMode_t: 0 default, 1 exclusive thread, 2 prohibited, 3 exclusive process. */
  computeMode(h: NvmlHandle): NvmlResult<number>;
  minorNumber(h: NvmlHandle): NvmlResult<number>;
  /** Encoder / decoder busy percent over the driver's sampling period. */
  codecPercent(h: NvmlHandle, kind: 'encoder' | 'decoder'): NvmlResult<number>;
  pcieReplays(h: NvmlHandle): NvmlResult<number>;
  /** nvmlGpuFabricState_t of an NVLink-fabric GPU (0 not supported … 3 completed). */
  fabricState(h: NvmlHandle): NvmlResult<number>;
  remappedRows(h: NvmlHandle): NvmlResult<NvmlRemappedRows>;
  /**
   * nvmlDeviceGetFieldValues for `ids`: the call's own failure, or one answer per id. `scopeId` (default
   * 0) is the NVLink link of link-scoped fields; 0xFFFFFFFF asks the sum over all links.
   */
  fieldValues(h: NvmlHandle, ids: readonly number[], scopeId?: number): NvmlResult<NvmlFieldAnswer[]>;
  /** nvmlDeviceGetNvLinkState: is NVLink `link` (0 … 17) active? */
  nvlinkActive(h: NvmlHandle, link: number): NvmlResult<boolean>;
  /** nvmlDeviceGetPcieThroughput on a koffi worker thread (the driver blocks ~20 ms per call). */
  pcieKbPerSAsync(h: NvmlHandle, dir: 'tx' | 'rx'): Promise<NvmlResult<number>>;
  clockEventReasons(h: NvmlHandle): NvmlResult<number>;
  fanPercent(h: NvmlHandle): NvmlResult<number>;
  pcieKbPerS(h: NvmlHandle, dir: 'tx' | 'rx'): NvmlResult<number>;
  /** ECC totals: `volatile` since the driver loaded (default), `aggregate` over the GPU's life. */
  eccTotal(h: NvmlHandle, kind: 'corrected' | 'uncorrected', counter?: 'volatile' | 'aggregate'): NvmlResult<number>;
  violationNs(h: NvmlHandle, policy: 'power' | 'thermal'): NvmlResult<number>;
  computeProcesses(h: NvmlHandle): NvmlResult<NvmlProcess[]>;
  migMode(h: NvmlHandle): NvmlResult<boolean>;
  migDevice(h: NvmlHandle, index: number): NvmlResult<NvmlHandle>;
  gpuInstanceId(h: NvmlHandle): NvmlResult<number>;
  computeInstanceId(h: NvmlHandle): NvmlResult<number>;
  eventSetCreate(): NvmlResult<NvmlHandle>;
  registerXidEvents(h: NvmlHandle, set: NvmlHandle): number;
  /** nvmlEventSetWait_v2 on a koffi worker thread: never blocks the event loop. */
  eventWaitAsync(set: NvmlHandle, timeoutMs: number): Promise<NvmlResult<NvmlXidEvent>>;
  eventSetFree(set: NvmlHandle): number;
  /** The same device? (handles are pointers; compare addresses). */
  sameDevice(a: NvmlHandle, b: NvmlHandle): boolean;
  /** GPU Performance Monitoring (nvmlGpm*), absent when this NVML lacks it (nvml-gpm.ts). */
  readonly gpm?: NvmlGpmLib;
}

export type NvmlClock = 'graphics' | 'sm' | 'mem' | 'video';
/** nvmlClockType_t */
const CLOCK_TYPE: Readonly<Record<NvmlClock, number>> = { graphics: 0, sm: 1, mem: 2, video: 3 };
const EVENT_TYPE_XID = 0x8n;
const MAX_PROCESSES = 256;

type Fn = ReturnType<ReturnType<typeof koffi.load>['func']>;
type TypeSpec = Parameters<typeof koffi.out>[0];

function cstring(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}
const id = (v: unknown): unknown => v;

/** Where nvmlFieldValue_t keeps valueType, nvmlReturn and value (from koffi's layout of FieldValue). */
export interface FieldLayout {
  valueType: number;
  nvmlReturn: number;
  value: number;
}

/** One nvmlFieldValue_t read straight from the buffer NVML filled (no decoded object per field).
 *  nvmlValueType_t: 0 double, 1 uint, 2 ulong, 3 ulonglong, 4 slonglong, 5 sint, 6 ushort.
 *  64-bit values as high word × 2^32 + low word in doubles: the one rounding of that sum gives the
 *  same number as Number(readBigUInt64LE()) without the BigInts (~4 per field per GPU per sample
 *  when the daemon runs interpreted). Exported for its test. */
export function decodeFieldAt(buf: Buffer, at: number, l: FieldLayout): NvmlFieldAnswer {
  const rc = buf.readInt32LE(at + l.nvmlReturn);
  if (rc !== NVML_SUCCESS) return { ok: false, rc };
  const v = at + l.value;
  switch (buf.readInt32LE(at + l.valueType)) {
    case 0:
      return { ok: true, value: buf.readDoubleLE(v) };
    case 1:
      return { ok: true, value: buf.readUInt32LE(v) };
    case 2:
    case 3:
      return { ok: true, value: buf.readUInt32LE(v + 4) * 2 ** 32 + buf.readUInt32LE(v) };
    case 4:
      return { ok: true, value: buf.readInt32LE(v + 4) * 2 ** 32 + buf.readUInt32LE(v) };
    case 5:
      return { ok: true, value: buf.readInt32LE(v) };
    case 6:
      return { ok: true, value: buf.readUInt16LE(v) };
    default:
      return { ok: false, rc: 999 };
  }
}
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));
const LOW_53_BITS = (1n << 53n) - 1n;
/** A uint64 bit mask's low 53 bits. koffi hands a uint64 that fits a safe integer over as a number: no BigInt then. */
const lowBits53 = (v: unknown): number => (typeof v === 'number' ? v : Number(BigInt(v as bigint) & LOW_53_BITS));

/** Loads libnvidia-ml (or a fake at `path`). Throws AGT_ERR_NVML_LIB_MISSING when it cannot. */
export function loadNvml(path = 'libnvidia-ml.so.1'): NvmlLib {
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (err: unknown) {
    throw new AgentError('AGT_ERR_NVML_LIB_MISSING', path, { cause: err });
  }
  const Device = koffi.pointer(koffi.opaque());
  const EventSet = koffi.pointer(koffi.opaque());
  const Memory = koffi.struct({ total: 'uint64', free: 'uint64', used: 'uint64' });
  const MemoryV2 = koffi.struct({ version: 'uint32', total: 'uint64', reserved: 'uint64', free: 'uint64', used: 'uint64' });
  const Utilization = koffi.struct({ gpu: 'uint32', memory: 'uint32' });
  const PciInfo = koffi.struct({
    busIdLegacy: koffi.array('char', 16),
    domain: 'uint32',
    bus: 'uint32',
    device: 'uint32',
    pciDeviceId: 'uint32',
    pciSubSystemId: 'uint32',
    busId: koffi.array('char', 32),
  });
  const ProcessInfo = koffi.struct({ pid: 'uint32', usedGpuMemory: 'uint64', gpuInstanceId: 'uint32', computeInstanceId: 'uint32' });
  const Violation = koffi.struct({ referenceTime: 'uint64', violationTime: 'uint64' });
  const EventData = koffi.struct({ device: Device, eventType: 'uint64', eventData: 'uint64', gpuInstanceId: 'uint32', computeInstanceId: 'uint32' });
  const FieldValue = koffi.struct({
    fieldId: 'uint32',
    scopeId: 'uint32',
    timestamp: 'int64',
    latencyUsec: 'int64',
    valueType: 'int',
    nvmlReturn: 'int',
    value: koffi.array('uint8', 8),
  });
  const fieldValueSize = koffi.sizeof(FieldValue);
  const fieldLayout: FieldLayout = {
    valueType: koffi.offsetof(FieldValue, 'valueType'),
    nvmlReturn: koffi.offsetof(FieldValue, 'nvmlReturn'),
    value: koffi.offsetof(FieldValue, 'value'),
  };
  const FabricInfo = koffi.struct({ clusterUuid: koffi.array('uint8', 16), status: 'int', cliqueId: 'uint32', state: 'uint8' });
  const outU32 = koffi.out(koffi.pointer('uint32'));
  const outU64 = koffi.out(koffi.pointer('uint64'));
  const processSize = koffi.sizeof(ProcessInfo);
  const memoryV2Version = koffi.sizeof(MemoryV2) | (2 << 24);

  /** A function, or undefined when this NVML lacks it (older drivers): callers get FUNCTION_NOT_FOUND. */
  const fn = (name: string, args: TypeSpec[]): Fn | undefined => {
    try {
      return lib.func(name, 'int', args);
    } catch {
      return undefined;
    }
  };
  const f = {
    init: fn('nvmlInit_v2', []) ?? fn('nvmlInit', []),
    shutdown: fn('nvmlShutdown', []),
    driverVersion: fn('nvmlSystemGetDriverVersion', ['char *', 'uint32']),
    cudaVersion: fn('nvmlSystemGetCudaDriverVersion_v2', [koffi.out(koffi.pointer('int'))]),
    count: fn('nvmlDeviceGetCount_v2', [outU32]),
    handle: fn('nvmlDeviceGetHandleByIndex_v2', ['uint32', koffi.out(koffi.pointer(Device))]),
    uuid: fn('nvmlDeviceGetUUID', [Device, 'char *', 'uint32']),
    name: fn('nvmlDeviceGetName', [Device, 'char *', 'uint32']),
    pci: fn('nvmlDeviceGetPciInfo_v3', [Device, koffi.out(koffi.pointer(PciInfo))]),
    memory: fn('nvmlDeviceGetMemoryInfo', [Device, koffi.out(koffi.pointer(Memory))]),
    memoryV2: fn('nvmlDeviceGetMemoryInfo_v2', [Device, koffi.inout(koffi.pointer(MemoryV2))]),
    utilization: fn('nvmlDeviceGetUtilizationRates', [Device, koffi.out(koffi.pointer(Utilization))]),
    temperature: fn('nvmlDeviceGetTemperature', [Device, 'int', outU32]),
    power: fn('nvmlDeviceGetPowerUsage', [Device, outU32]),
    powerLimit: fn('nvmlDeviceGetEnforcedPowerLimit', [Device, outU32]),
    energy: fn('nvmlDeviceGetTotalEnergyConsumption', [Device, outU64]),
    clock: fn('nvmlDeviceGetClockInfo', [Device, 'int', outU32]),
    maxClock: fn('nvmlDeviceGetMaxClockInfo', [Device, 'int', outU32]),
    reasons: fn('nvmlDeviceGetCurrentClocksEventReasons', [Device, outU64]) ?? fn('nvmlDeviceGetCurrentClocksThrottleReasons', [Device, outU64]),
    fan: fn('nvmlDeviceGetFanSpeed', [Device, outU32]),
    pstate: fn('nvmlDeviceGetPerformanceState', [Device, outU32]),
    computeMode: fn('nvmlDeviceGetComputeMode', [Device, outU32]),
    minor: fn('nvmlDeviceGetMinorNumber', [Device, outU32]),
    encoder: fn('nvmlDeviceGetEncoderUtilization', [Device, outU32, outU32]),
    decoder: fn('nvmlDeviceGetDecoderUtilization', [Device, outU32, outU32]),
    replays: fn('nvmlDeviceGetPcieReplayCounter', [Device, outU32]),
    remapped: fn('nvmlDeviceGetRemappedRows', [Device, outU32, outU32, outU32, outU32]),
    fields: fn('nvmlDeviceGetFieldValues', [Device, 'int', 'void *']),
    fabric: fn('nvmlDeviceGetGpuFabricInfo', [Device, koffi.out(koffi.pointer(FabricInfo))]),
    nvlinkState: fn('nvmlDeviceGetNvLinkState', [Device, 'uint32', outU32]),
    pcie: fn('nvmlDeviceGetPcieThroughput', [Device, 'int', outU32]),
    ecc: fn('nvmlDeviceGetTotalEccErrors', [Device, 'int', 'int', outU64]),
    violation: fn('nvmlDeviceGetViolationStatus', [Device, 'int', koffi.out(koffi.pointer(Violation))]),
    processes: fn('nvmlDeviceGetComputeRunningProcesses_v3', [Device, koffi.inout(koffi.pointer('uint32')), koffi.pointer(ProcessInfo)]),
    migMode: fn('nvmlDeviceGetMigMode', [Device, outU32, outU32]),
    migHandle: fn('nvmlDeviceGetMigDeviceHandleByIndex', [Device, 'uint32', koffi.out(koffi.pointer(Device))]),
    gpuInstance: fn('nvmlDeviceGetGpuInstanceId', [Device, outU32]),
    computeInstance: fn('nvmlDeviceGetComputeInstanceId', [Device, outU32]),
    eventCreate: fn('nvmlEventSetCreate', [koffi.out(koffi.pointer(EventSet))]),
    register: fn('nvmlDeviceRegisterEvents', [Device, 'uint64', EventSet]),
    wait: fn('nvmlEventSetWait_v2', [EventSet, koffi.out(koffi.pointer(EventData)), 'uint32']),
    eventFree: fn('nvmlEventSetFree', [EventSet]),
  };

  const missing = { ok: false, rc: NVML_ERROR_FUNCTION_NOT_FOUND } as const;
  // One out-box for every synchronous out-parameter call (koffi writes box[0] before the call
  // returns), and the arguments passed as they are: the sampler makes ~30 such calls per GPU per
  // sample, and the daemon runs interpreted (--no-opt), where a rest array, a spread and a box per
  // call were all garbage (~60 KB/s on 8 GPUs).
  const outBox: unknown[] = [null];
  // Buffers the synchronous struct-array calls fill, kept instead of allocated per GPU per sample.
  const processBuf = Buffer.alloc(processSize * MAX_PROCESSES);
  const scratchBufs = new Map<number, Buffer>();
  const scratch = (bytes: number): Buffer => {
    let b = scratchBufs.get(bytes);
    if (b === undefined) {
      b = Buffer.alloc(bytes);
      scratchBufs.set(bytes, b);
    }
    return b;
  };
  /** Calls `g` with the out-box as its last argument; returns the box's value on success. */
  function out1<T>(g: Fn | undefined, map: (v: unknown) => T, a?: unknown, b?: unknown, c?: unknown): NvmlResult<T> {
    if (g === undefined) return missing;
    outBox[0] = null;
    const r = c !== undefined ? g(a, b, c, outBox) : b !== undefined ? g(a, b, outBox) : a !== undefined ? g(a, outBox) : g(outBox);
    const rc = num(r);
    return rc === NVML_SUCCESS ? { ok: true, value: map(outBox[0]) } : { ok: false, rc };
  }
  function str(g: Fn | undefined, h: NvmlHandle | undefined, size: number): NvmlResult<string> {
    if (g === undefined) return missing;
    const buf = Buffer.alloc(size);
    const rc = num(h === undefined ? g(buf, size) : g(h, buf, size));
    return rc === NVML_SUCCESS ? { ok: true, value: cstring(buf) } : { ok: false, rc };
  }
  function struct<T>(g: Fn | undefined, map: (o: Record<string, unknown>) => T, a: unknown, b?: unknown): NvmlResult<T> {
    if (g === undefined) return missing;
    const o: Record<string, unknown> = {};
    const rc = num(b !== undefined ? g(a, b, o) : g(a, o));
    return rc === NVML_SUCCESS ? { ok: true, value: map(o) } : { ok: false, rc };
  }
  const gpm = bindGpm(lib, Device);
  return {
    path,
    ...(gpm === undefined ? {} : { gpm }),
    init: () => (f.init === undefined ? NVML_ERROR_FUNCTION_NOT_FOUND : num(f.init())),
    shutdown: () => (f.shutdown === undefined ? NVML_ERROR_FUNCTION_NOT_FOUND : num(f.shutdown())),
    driverVersion: () => str(f.driverVersion, undefined, 96),
    cudaVersion: () => out1(f.cudaVersion, num),
    deviceCount: () => out1(f.count, num),
    handle: (i) => out1(f.handle, id, i),
    uuid: (h) => str(f.uuid, h, 96),
    name: (h) => str(f.name, h, 96),
    pciBusId: (h) => struct(f.pci, (o) => String(o.busId), h),
    memory(h) {
      if (f.memoryV2 !== undefined) {
        const o: Record<string, unknown> = { version: memoryV2Version };
        const rc = num(f.memoryV2(h, o));
        if (rc === NVML_SUCCESS) return { ok: true, value: { total: num(o.total), used: num(o.used), reserved: num(o.reserved) } };
      }
      return struct(f.memory, (o) => ({ total: num(o.total), used: num(o.used) }), h);
    },
    utilization: (h) => struct(f.utilization, (o) => ({ gpu: num(o.gpu), memory: num(o.memory) }), h),
    temperature: (h) => out1(f.temperature, num, h, 0),
    powerMw: (h) => out1(f.power, num, h),
    powerLimitMw: (h) => out1(f.powerLimit, num, h),
    energyMj: (h) => out1(f.energy, num, h),
    clock: (h, k) => out1(f.clock, num, h, CLOCK_TYPE[k]),
    maxClock: (h, k) => out1(f.maxClock, num, h, CLOCK_TYPE[k]),
    pstate: (h) => out1(f.pstate, num, h),
    computeMode: (h) => out1(f.computeMode, num, h),
    minorNumber: (h) => out1(f.minor, num, h),
    codecPercent(h, kind) {
      const g = kind === 'encoder' ? f.encoder : f.decoder;
      if (g === undefined) return missing;
      const util = [0];
      const period = [0];
      const rc = num(g(h, util, period));
      return rc === NVML_SUCCESS ? { ok: true, value: num(util[0]) } : { ok: false, rc };
    },
    pcieReplays: (h) => out1(f.replays, num, h),
    fabricState: (h) => struct(f.fabric, (o) => num(o.state), h),
    nvlinkActive: (h, link) => out1(f.nvlinkState, (v) => num(v) === 1, h, link),
    remappedRows(h) {
      if (f.remapped === undefined) return missing;
      const [c, u, p, x] = [[0], [0], [0], [0]];
      const rc = num(f.remapped(h, c, u, p, x));
      if (rc !== NVML_SUCCESS) return { ok: false, rc };
      return { ok: true, value: { correctable: num(c[0]), uncorrectable: num(u[0]), pending: num(p[0]) !== 0, failure: num(x[0]) !== 0 } };
    },
    fieldValues(h, ids, scopeId = 0) {
      if (f.fields === undefined) return missing;
      const buf = scratch(fieldValueSize * ids.length); // every field's ids written below, every answer by NVML
      ids.forEach((fieldId, i) => {
        buf.writeUInt32LE(fieldId, i * fieldValueSize);
        buf.writeUInt32LE(scopeId, i * fieldValueSize + 4);
      });
      const rc = num(f.fields(h, ids.length, buf));
      if (rc !== NVML_SUCCESS) return { ok: false, rc };
      return { ok: true, value: ids.map((_, i) => decodeFieldAt(buf, i * fieldValueSize, fieldLayout)) };
    },
    pcieKbPerSAsync(h, d) {
      const g = f.pcie;
      if (g === undefined) return Promise.resolve(missing);
      return new Promise((resolve) => {
        const box: unknown[] = [null];
        g.async(h, d === 'tx' ? 0 : 1, box, (err: unknown, rc: unknown) => {
          if (err !== null && err !== undefined) resolve({ ok: false, rc: 999 });
          else if (num(rc) !== NVML_SUCCESS) resolve({ ok: false, rc: num(rc) });
          else resolve({ ok: true, value: num(box[0]) });
        });
      });
    },
    clockEventReasons: (h) => out1(f.reasons, lowBits53, h),
    fanPercent: (h) => out1(f.fan, num, h),
    pcieKbPerS: (h, d) => out1(f.pcie, num, h, d === 'tx' ? 0 : 1),
    eccTotal: (h, k, counter = 'volatile') => out1(f.ecc, num, h, k === 'corrected' ? 0 : 1, counter === 'aggregate' ? 1 : 0),
    violationNs: (h, p) => struct(f.violation, (o) => num(o.violationTime), h, p === 'power' ? 0 : 1),
    computeProcesses(h) {
      if (f.processes === undefined) return missing;
      const count = [MAX_PROCESSES];
      const buf = processBuf; // NVML fills count[0] entries; only those are read
      const rc = num(f.processes(h, count, buf));
      if (rc === NVML_ERROR_INSUFFICIENT_SIZE) return { ok: false, rc };
      if (rc !== NVML_SUCCESS) return { ok: false, rc };
      const n = Math.min(num(count[0]), MAX_PROCESSES);
      const out: NvmlProcess[] = [];
      for (let i = 0; i < n; i++) {
        const p = koffi.decode(buf, i * processSize, ProcessInfo) as { pid: number; usedGpuMemory: number | bigint };
        const used = num(p.usedGpuMemory);
        // NVML_VALUE_NOT_AVAILABLE (ULL max) on WDDM: absent, not a huge number.
        out.push(used >= 2 ** 63 ? { pid: p.pid } : { pid: p.pid, usedBytes: used });
      }
      return { ok: true, value: out };
    },
    migMode: (h) => migModeCall(h),
    migDevice: (h, i) => out1(f.migHandle, id, h, i),
    gpuInstanceId: (h) => out1(f.gpuInstance, num, h),
    computeInstanceId: (h) => out1(f.computeInstance, num, h),
    eventSetCreate: () => out1(f.eventCreate, id),
    registerXidEvents: (h, set) => (f.register === undefined ? NVML_ERROR_FUNCTION_NOT_FOUND : num(f.register(h, EVENT_TYPE_XID, set))),
    eventWaitAsync(set, timeoutMs) {
      const wait = f.wait;
      if (wait === undefined) return Promise.resolve(missing);
      return new Promise((resolve) => {
        const o: Record<string, unknown> = {};
        wait.async(set, o, timeoutMs, (err: unknown, rc: unknown) => {
          if (err !== null && err !== undefined) resolve({ ok: false, rc: 999 });
          else if (num(rc) !== NVML_SUCCESS) resolve({ ok: false, rc: num(rc) });
          else resolve({ ok: true, value: { device: o.device, xid: num(o.eventData) } });
        });
      });
    },
    eventSetFree: (set) => (f.eventFree === undefined ? NVML_ERROR_FUNCTION_NOT_FOUND : num(f.eventFree(set))),
    // koffi returns pointers as bigint addresses, so equal handles compare equal.
    sameDevice: (a, b) => a === b,
  };

  function migModeCall(h: NvmlHandle): NvmlResult<boolean> {
    if (f.migMode === undefined) return missing;
    const cur = [0];
    const pending = [0];
    const rc = num(f.migMode(h, cur, pending));
    return rc === NVML_SUCCESS ? { ok: true, value: num(cur[0]) === 1 } : { ok: false, rc };
  }
}
