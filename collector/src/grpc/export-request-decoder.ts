// A faster decoder for the common shape of ExportRequest, in front of the generated one.
//
// The generated (ts-proto) decoder reads every 64-bit field as a bigint/string and converts it
// back with Number(x.toString()): for a 16-GPU batch that is most of its time and garbage. This
// decoder reads the messages an agent sends every 2 s (ExportRequest, HostIdentity with labels,
// GpuSample with processes, HostSample with volumes) straight into numbers and strings, producing
// exactly the objects the generated decoder produces. Anything else — runtime events, GPU status
// events, an unknown field, a field with an unexpected wire type, a 64-bit value of 2^49 or more
// (negative int64s included), a 32-bit varint longer than 5 bytes, an end-group or zero tag, a
// length past the end — makes it give up, and the generated decoder decodes the whole request, so
// every input gets the generated decoder's result or its error (export-request-decoder.test.ts
// compares the two over generated and mutated requests).
import { TextDecoder } from 'node:util';
import { ExportRequest, type GpuProcess, type GpuSample, type HostIdentity, type HostSample, type Volume } from '@renderwatch/proto';

/** Thrown inside the fast path when the input is not of the shape it handles. */
class NotHandled extends Error {}
const NOT_HANDLED = new NotHandled('not handled by the fast decoder');

function giveUp(): never {
  throw NOT_HANDLED;
}

class WireReader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    private readonly utf8: TextDecoder,
  ) {}

  byte(): number {
    const b = this.buf[this.pos++];
    return b === undefined ? giveUp() : b;
  }

  /** A varint of at most 5 bytes as uint32 (what the generated reader gives for those). */
  uint32(): number {
    let b = this.byte();
    if (b < 0x80) return b;
    let r = b & 0x7f;
    b = this.byte();
    r |= (b & 0x7f) << 7;
    if (b < 0x80) return r;
    b = this.byte();
    r |= (b & 0x7f) << 14;
    if (b < 0x80) return r;
    b = this.byte();
    r |= (b & 0x7f) << 21;
    if (b < 0x80) return r;
    b = this.byte();
    if (b > 0x0f) giveUp();
    return (r | (b << 28)) >>> 0;
  }

  /** A varint of at most 7 bytes (< 2^49, exactly representable) as a number. */
  uint49(): number {
    let r = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      r += (b & 0x7f) * scale;
      if (b < 0x80) return r;
      scale *= 128;
    }
    return giveUp();
  }

  bool(): boolean {
    const b = this.byte();
    return b < 0x80 ? b !== 0 : giveUp();
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.buf.length) giveUp();
    this.pos = p + 8;
    return this.buf.readDoubleLE(p);
  }

  /** The end offset of a length-delimited field whose length comes next. */
  end(): number {
    const len = this.uint32();
    const end = this.pos + len;
    return end > this.buf.length ? giveUp() : end;
  }

  string(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    const b = this.buf;
    for (let i = start; i < end; i++) if ((b[i] ?? 0) >= 0x80) return this.utf8.decode(b.subarray(start, end));
    return b.toString('latin1', start, end);
  }

  /** The next tag; gives up on a zero tag and on groups (the generated decoder stops early there). */
  tag(): number {
    const t = this.uint32();
    const wire = t & 7;
    return t === 0 || wire === 3 || wire === 4 ? giveUp() : t;
  }

  /** After a field of a message ending at `end`: the generated decoder would read past it differently. */
  within(end: number): void {
    if (this.pos > end) giveUp();
  }
}

function gpuProcess(r: WireReader, end: number): GpuProcess {
  const m: GpuProcess = { pid: 0, name: '', usedMemoryBytes: undefined, runtime: '' };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 8) m.pid = r.uint32();
    else if (tag === 18) m.name = r.string();
    else if (tag === 24) m.usedMemoryBytes = r.uint49();
    else if (tag === 34) m.runtime = r.string();
    else giveUp();
    r.within(end);
  }
  return m;
}

function gpuSample(r: WireReader, end: number): GpuSample {
  const m: GpuSample = {
    tsUnixMs: 0, index: 0, uuid: '', name: '', pciBusId: '', utilizationGpuRatio: undefined, utilizationMemoryRatio: undefined,
    memoryUsedBytes: undefined, memoryTotalBytes: undefined, memoryReservedBytes: undefined, temperatureCelsius: undefined,
    powerDrawWatts: undefined, powerLimitWatts: undefined, energyJoules: undefined, smClockMhz: undefined, smClockMaxMhz: undefined,
    memoryClockMhz: undefined, memoryClockMaxMhz: undefined, fanRatio: undefined, clockEventReasonsMask: undefined,
    pcieTxBytesPerS: undefined, pcieRxBytesPerS: undefined, eccCorrectedTotal: undefined, eccUncorrectedTotal: undefined,
    migEnabled: false, processes: [], throttleThermalUs: undefined, throttlePowerUs: undefined,
  };
  while (r.pos < end) {
    switch (r.tag()) {
      case 8: m.tsUnixMs = r.uint49(); break;
      case 16: m.index = r.uint32(); break;
      case 26: m.uuid = r.string(); break;
      case 34: m.name = r.string(); break;
      case 42: m.pciBusId = r.string(); break;
      case 49: m.utilizationGpuRatio = r.double(); break;
      case 57: m.utilizationMemoryRatio = r.double(); break;
      case 64: m.memoryUsedBytes = r.uint49(); break;
      case 72: m.memoryTotalBytes = r.uint49(); break;
      case 80: m.memoryReservedBytes = r.uint49(); break;
      case 89: m.temperatureCelsius = r.double(); break;
      case 97: m.powerDrawWatts = r.double(); break;
      case 105: m.powerLimitWatts = r.double(); break;
      case 113: m.energyJoules = r.double(); break;
      case 120: m.smClockMhz = r.uint32(); break;
      case 128: m.smClockMaxMhz = r.uint32(); break;
      case 136: m.memoryClockMhz = r.uint32(); break;
      case 144: m.memoryClockMaxMhz = r.uint32(); break;
      case 153: m.fanRatio = r.double(); break;
      case 160: m.clockEventReasonsMask = r.uint49(); break;
      case 168: m.pcieTxBytesPerS = r.uint49(); break;
      case 176: m.pcieRxBytesPerS = r.uint49(); break;
      case 184: m.eccCorrectedTotal = r.uint49(); break;
      case 192: m.eccUncorrectedTotal = r.uint49(); break;
      case 200: m.migEnabled = r.bool(); break;
      case 210: m.processes.push(gpuProcess(r, r.end())); break;
      case 216: m.throttleThermalUs = r.uint49(); break;
      case 224: m.throttlePowerUs = r.uint49(); break;
      default: giveUp();
    }
    r.within(end);
  }
  return m;
}

function volume(r: WireReader, end: number): Volume {
  const m: Volume = { mount: '', role: '', sizeBytes: 0, freeBytes: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) m.mount = r.string();
    else if (tag === 18) m.role = r.string();
    else if (tag === 24) m.sizeBytes = r.uint49();
    else if (tag === 32) m.freeBytes = r.uint49();
    else giveUp();
    r.within(end);
  }
  return m;
}

function hostSample(r: WireReader, end: number): HostSample {
  const m: HostSample = {
    tsUnixMs: 0, cpuRatio: undefined, memoryUsedBytes: undefined, memoryTotalBytes: undefined, swapUsedBytes: undefined,
    swapTotalBytes: undefined, volumes: [], diskReadBytesPerS: undefined, diskWriteBytesPerS: undefined, netRxBytesPerS: undefined,
    netTxBytesPerS: undefined,
  };
  while (r.pos < end) {
    switch (r.tag()) {
      case 8: m.tsUnixMs = r.uint49(); break;
      case 17: m.cpuRatio = r.double(); break;
      case 24: m.memoryUsedBytes = r.uint49(); break;
      case 32: m.memoryTotalBytes = r.uint49(); break;
      case 40: m.swapUsedBytes = r.uint49(); break;
      case 48: m.swapTotalBytes = r.uint49(); break;
      case 58: m.volumes.push(volume(r, r.end())); break;
      case 64: m.diskReadBytesPerS = r.uint49(); break;
      case 72: m.diskWriteBytesPerS = r.uint49(); break;
      case 80: m.netRxBytesPerS = r.uint49(); break;
      case 88: m.netTxBytesPerS = r.uint49(); break;
      default: giveUp();
    }
    r.within(end);
  }
  return m;
}

function hostIdentity(r: WireReader, end: number): HostIdentity {
  const m: HostIdentity = { hostname: '', driverVersion: '', cudaVersion: '', agentVersion: '', labels: {} };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) m.hostname = r.string();
    else if (tag === 18) m.driverVersion = r.string();
    else if (tag === 26) m.cudaVersion = r.string();
    else if (tag === 34) m.agentVersion = r.string();
    else if (tag === 42) {
      const entryEnd = r.end();
      let key = '';
      let value = '';
      while (r.pos < entryEnd) {
        const t = r.tag();
        if (t === 10) key = r.string();
        else if (t === 18) value = r.string();
        else giveUp();
        r.within(entryEnd);
      }
      m.labels[key] = value; // as the generated decoder assigns it
    } else giveUp();
    r.within(end);
  }
  return m;
}

function exportRequest(r: WireReader): ExportRequest {
  const m: ExportRequest = { agentId: '', batchSeq: 0, host: undefined, gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] };
  const end = r.buf.length;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 34) m.gpuSamples.push(gpuSample(r, r.end()));
    else if (tag === 42) m.hostSamples.push(hostSample(r, r.end()));
    else if (tag === 10) m.agentId = r.string();
    else if (tag === 16) m.batchSeq = r.uint49();
    else if (tag === 26) m.host = hostIdentity(r, r.end());
    else giveUp(); // events, gpu_status, unknown fields: the generated decoder
  }
  return m;
}

/** Bytes → ExportRequest, as `ExportRequest.decode` (including what it throws), faster for agents' usual batches. */
export function createExportRequestDecoder(): (buf: Buffer) => ExportRequest {
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  return (buf) => {
    try {
      return exportRequest(new WireReader(buf, utf8));
    } catch (err: unknown) {
      if (err !== NOT_HANDLED) throw err;
      return ExportRequest.decode(buf);
    }
  };
}
