import { ExportRequest } from '@renderwatch/proto';
import { type Arbitrary, array, constantFrom, dictionary, double, assert as fcAssert, integer, nat, oneof, option, property, record, string, tuple, uint8Array } from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExportRequestDecoder } from './export-request-decoder.js';

const decode = createExportRequestDecoder();
const outcome = (f: () => ExportRequest): { ok: ExportRequest } | { err: string } => {
  try {
    return { ok: f() };
  } catch (err: unknown) {
    return { err: err instanceof Error ? err.message : String(err) };
  }
};

const text = oneof(string(), string({ unit: 'grapheme' }), string({ unit: 'binary' }), constantFrom('', '\ufeffbom', 'h\u00e9'));
const u64 = oneof(nat(), integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), constantFrom(2 ** 49 - 1, 2 ** 49, 0));
const opt = <T>(a: Arbitrary<T>) => option(a, { nil: undefined });
const dbl = oneof(double(), constantFrom(Number.NaN, -0, 0.5));
const u32 = integer({ min: 0, max: 2 ** 32 - 1 });
const ts = oneof(integer({ min: -(2 ** 40), max: 2 ** 45 }), constantFrom(1_763_787_000_123));
const gpu = record(
  {
    tsUnixMs: ts, index: u32, uuid: text, name: text, pciBusId: text, utilizationGpuRatio: opt(dbl), utilizationMemoryRatio: opt(dbl),
    memoryUsedBytes: opt(u64), memoryTotalBytes: opt(u64), memoryReservedBytes: opt(u64), temperatureCelsius: opt(dbl), powerDrawWatts: opt(dbl),
    powerLimitWatts: opt(dbl), energyJoules: opt(dbl), smClockMhz: opt(u32), smClockMaxMhz: opt(u32), memoryClockMhz: opt(u32),
    memoryClockMaxMhz: opt(u32), fanRatio: opt(dbl), clockEventReasonsMask: opt(u64), pcieTxBytesPerS: opt(u64), pcieRxBytesPerS: opt(u64),
    eccCorrectedTotal: opt(u64), eccUncorrectedTotal: opt(u64), migEnabled: constantFrom(true, false), throttleThermalUs: opt(u64), throttlePowerUs: opt(u64),
    processes: array(record({ pid: u32, name: text, usedMemoryBytes: opt(u64), runtime: text }), { maxLength: 2 }),
  },
  { requiredKeys: ['tsUnixMs', 'index', 'uuid'] },
);
const host = record(
  {
    tsUnixMs: ts, cpuRatio: opt(dbl), memoryUsedBytes: opt(u64), memoryTotalBytes: opt(u64), swapUsedBytes: opt(u64), swapTotalBytes: opt(u64),
    volumes: array(record({ mount: text, role: text, sizeBytes: u64, freeBytes: u64 }), { maxLength: 2 }),
    diskReadBytesPerS: opt(u64), diskWriteBytesPerS: opt(u64), netRxBytesPerS: opt(u64), netTxBytesPerS: opt(u64),
  },
  { requiredKeys: ['tsUnixMs'] },
);
const req = record(
  {
    agentId: text, batchSeq: u64, host: record({ hostname: text, driverVersion: text, cudaVersion: text, agentVersion: text, labels: dictionary(text, text, { maxKeys: 3 }) }),
    gpuSamples: array(gpu, { maxLength: 4 }), hostSamples: array(host, { maxLength: 2 }),
    events: array(constantFrom({ tsUnixMs: 5, body: { $case: 'queue' as const, queue: { pending: 2, running: 1 } } }), { maxLength: 1 }),
  },
  { requiredKeys: [] },
);
/** fromPartial fills what the generated object leaves out (the arbitraries' optional keys). */
const encode = (r: object): Buffer => Buffer.from(ExportRequest.encode(ExportRequest.fromPartial(r as ExportRequest)).finish());

describe('createExportRequestDecoder', () => {
  it('gives exactly what the generated decoder gives when requests are generated', () => {
    fcAssert(
      property(req, (r) => {
        const buf = encode(r);
        expect(decode(buf)).toStrictEqual(ExportRequest.decode(buf));
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same result or the same error as the generated decoder when bytes are mutated, cut or appended', () => {
    fcAssert(
      property(req, array(tuple(nat(), integer({ min: 0, max: 255 })), { maxLength: 4 }), nat(), uint8Array({ maxLength: 12 }), (r, flips, cut, extra) => {
        const enc = encode(r);
        const buf = Buffer.concat([enc.subarray(0, enc.length === 0 ? 0 : enc.length - (cut % Math.max(1, Math.min(enc.length, 8)))), extra]);
        for (const [at, v] of flips) if (buf.length > 0) buf[at % buf.length] = v;
        expect(outcome(() => decode(buf))).toStrictEqual(outcome(() => ExportRequest.decode(buf)));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes an 8-GPU agent batch without falling back when it has the usual shape', () => {
    const buf = encode({ agentId: 'agent-a', batchSeq: 3, host: { hostname: 'h', labels: { site: 'x' } }, gpuSamples: [{ tsUnixMs: 1_763_787_000_123, index: 1, uuid: 'GPU-1', memoryUsedBytes: 2 ** 40 }] });
    expect(decode(buf)).toStrictEqual(ExportRequest.decode(buf));
  });
});
