import { BinaryWriter, ExportRequest, GpuProcess, GpuSample } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { NumberInt64Writer } from './wire-writer.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('NumberInt64Writer (spool frames and Export calls)', () => {
  it('writes a uint64 number as the library does, at every varint length and word boundary', () => {
    const values = [
      0,
      1,
      127,
      128,
      300,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 35 - 1,
      2 ** 35,
      2 ** 42,
      2 ** 49,
      2 ** 52 + 3,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const v of values) expect(hex(new NumberInt64Writer().uint64(v).finish()), String(v)).toBe(hex(new BinaryWriter().uint64(v).finish()));
    // hand-worked: 300 = 0b10_0101100 → 0xac 0x02; 2^32 → five 7-bit groups 0,0,0,0,16
    expect(hex(new NumberInt64Writer().uint64(300).finish())).toBe('ac02');
    expect(hex(new NumberInt64Writer().uint64(2 ** 32).finish())).toBe('8080808010');
  });

  it("writes an int64 number as the library does, negative ones as ten-byte two's complement", () => {
    const values = [
      0,
      1,
      -1,
      -2,
      1_765_000_000_000,
      -1_765_000_000_000,
      2 ** 32,
      -(2 ** 32),
      -(2 ** 32) - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    for (const v of values) expect(hex(new NumberInt64Writer().int64(v).finish()), String(v)).toBe(hex(new BinaryWriter().int64(v).finish()));
    expect(hex(new NumberInt64Writer().int64(-1).finish())).toBe('ffffffffffffffffff01');
  });

  it('hands anything but a safe integer number to the library (bigint, string, 2^64-1, a fraction: same bytes or the same error)', () => {
    expect(hex(new NumberInt64Writer().uint64(18446744073709551615n).finish())).toBe(hex(new BinaryWriter().uint64(18446744073709551615n).finish()));
    expect(hex(new NumberInt64Writer().uint64('9007199254740993').finish())).toBe(hex(new BinaryWriter().uint64('9007199254740993').finish()));
    expect(hex(new NumberInt64Writer().uint64(2 ** 60).finish())).toBe(hex(new BinaryWriter().uint64(2 ** 60).finish()));
    expect(() => new NumberInt64Writer().uint64(1.5)).toThrow();
    expect(() => new NumberInt64Writer().uint64(-1)).toThrow(/invalid uint64/);
  });

  it('encodes a whole ExportRequest to the same bytes', () => {
    const gpu: GpuSample = {
      ...GpuSample.fromPartial({}),
      tsUnixMs: 1_765_152_000_123,
      index: 3,
      uuid: 'GPU-3',
      memoryUsedBytes: 80 * 2 ** 30,
      memoryTotalBytes: 81_559_000_000,
      energyJoules: 123_456_789,
      eccCorrectedTotal: 0,
      throttlePowerUs: 2 ** 40 + 7,
      processes: [GpuProcess.fromPartial({ pid: 4242, usedMemoryBytes: 2 ** 33 })],
    };
    const req: ExportRequest = {
      agentId: 'a',
      batchSeq: 1_765_152_000_999,
      host: undefined,
      gpuSamples: [gpu, { ...gpu, index: 4 }],
      hostSamples: [],
      events: [],
      gpuStatus: [],
    };
    const ours = ExportRequest.encode(req, new NumberInt64Writer()).finish();
    expect(hex(ours)).toBe(hex(ExportRequest.encode(req).finish()));
    expect(ExportRequest.decode(ours).gpuSamples[0]?.throttlePowerUs).toBe(2 ** 40 + 7);
  });
});
