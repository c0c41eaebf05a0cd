// The spool's frame format (spool-frames.ts): every frame type round-trips through scanFrames, and
// scanning stops exactly at the first frame that is torn, zeroed, of an unknown type or fails its crc.
import { describe, expect, it } from 'vitest';
import {
  batchFrame,
  crc32,
  crc32Js,
  FRAME_HEADER,
  FrameType,
  goneFrame,
  goneSeqs,
  headPb,
  readHead,
  rowsCheckpoints,
  rowsCounts,
  rowsFrame,
  rowsPb,
  scanFrames,
  snapshotFrame,
} from './spool-frames.js';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('crc32', () => {
  it('is CRC-32/IEEE (check value of "123456789" is 0xCBF43926), native and JavaScript alike, over a range', () => {
    const b = ascii('xx123456789yy');
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32Js(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
    expect(crc32Js(b, 2, 11)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32Js(new Uint8Array(0))).toBe(0);
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256));
    expect(crc32(bytes, 13, 977)).toBe(crc32Js(bytes, 13, 977));
    expect(crc32(bytes)).toBe(crc32Js(bytes));
    expect(crc32(bytes)).toBe(0x6b939e91); // Python zlib.crc32 of the same bytes
  });
});

describe('frames', () => {
  it('round-trip through scanFrames with their exact offsets and bodies', () => {
    const rows = rowsFrame(ascii('PB'), 3, 2, '{"k":{"ino":1,"offset":9}}');
    const noCp = rowsFrame(ascii('Q'), 1, 0, '');
    const cut = batchFrame(FrameType.Cut, { seq: 1_700_000_000_123, createdMs: 1_700_000_000_456, samples: 4, events: 5 }, ascii('HEAD'));
    const whole = batchFrame(FrameType.Batch, { seq: 7, createdMs: 8, samples: 0, events: 1 }, ascii(''));
    const gone = goneFrame([7, 1_700_000_000_123]);
    const snap = snapshotFrame('{"lastSeq":3}');
    const file = Buffer.concat([snap, rows, noCp, cut, whole, gone]);
    const { frames, validEnd } = scanFrames(file);
    expect(validEnd).toBe(file.length);
    expect(frames.map((f) => [f.type, f.start, f.end])).toEqual([
      [FrameType.Snapshot, 0, snap.length],
      [FrameType.Rows, snap.length, snap.length + rows.length],
      [FrameType.Rows, snap.length + rows.length, snap.length + rows.length + noCp.length],
      [FrameType.Cut, file.length - gone.length - whole.length - cut.length, file.length - gone.length - whole.length],
      [FrameType.Batch, file.length - gone.length - whole.length, file.length - gone.length],
      [FrameType.Gone, file.length - gone.length, file.length],
    ]);
    const [s, r, q, c, w, g] = frames.map((f) => f.body);
    expect(s?.toString()).toBe('{"lastSeq":3}');
    expect(rows.length).toBe(FRAME_HEADER + 12 + 2 + 26);
    expect(rowsCounts(r as Buffer)).toEqual({ samples: 3, events: 2 });
    expect(rowsPb(r as Buffer).toString()).toBe('PB');
    expect(rowsCheckpoints(r as Buffer)).toBe('{"k":{"ino":1,"offset":9}}');
    expect(rowsCounts(q as Buffer)).toEqual({ samples: 1, events: 0 });
    expect(rowsPb(q as Buffer).toString()).toBe('Q');
    expect(rowsCheckpoints(q as Buffer)).toBe('');
    expect(readHead(c as Buffer)).toEqual({ seq: 1_700_000_000_123, createdMs: 1_700_000_000_456, samples: 4, events: 5 });
    expect(headPb(c as Buffer).toString()).toBe('HEAD');
    expect(readHead(w as Buffer)).toEqual({ seq: 7, createdMs: 8, samples: 0, events: 1 });
    expect(headPb(w as Buffer).length).toBe(0);
    expect(goneSeqs(g as Buffer)).toEqual([7, 1_700_000_000_123]);
    // the header: type, body length, crc of the body
    expect([cut[0], cut.readUInt32LE(1), cut.readUInt32LE(5)]).toEqual([FrameType.Cut, cut.length - FRAME_HEADER, crc32(cut, FRAME_HEADER)]);
    // scanning from an offset
    expect(scanFrames(file, snap.length).frames.map((f) => f.type)).toEqual([FrameType.Rows, FrameType.Rows, FrameType.Cut, FrameType.Batch, FrameType.Gone]);
  });

  it('stop at a torn, zeroed, unknown or corrupted frame; validEnd is where the intact part ends', () => {
    const a = rowsFrame(ascii('AAAA'), 1, 0, '');
    const b = goneFrame([42]);
    const ok = Buffer.concat([a, b]);
    const stop = (tail: Buffer): [number, number] => {
      const r = scanFrames(Buffer.concat([ok, tail]));
      return [r.frames.length, r.validEnd];
    };
    expect(stop(Buffer.alloc(0))).toEqual([2, ok.length]);
    expect(stop(goneFrame([1]).subarray(0, FRAME_HEADER + 3))).toEqual([2, ok.length]); // torn body
    expect(stop(goneFrame([1]).subarray(0, FRAME_HEADER - 1))).toEqual([2, ok.length]); // torn header
    expect(stop(goneFrame([1]).subarray(0, FRAME_HEADER))).toEqual([2, ok.length]); // header only, body missing
    expect(stop(Buffer.alloc(40))).toEqual([2, ok.length]); // zeroed tail: type 0
    const unknown = goneFrame([1]);
    unknown[0] = 6;
    expect(stop(unknown)).toEqual([2, ok.length]);
    const flipped = goneFrame([1]);
    flipped[FRAME_HEADER] = (flipped[FRAME_HEADER] ?? 0) ^ 1;
    expect(stop(flipped)).toEqual([2, ok.length]);
    // an empty-bodied frame is whole (a GONE of nothing)
    expect(stop(goneFrame([]))).toEqual([3, ok.length + FRAME_HEADER]);
    // a frame of the highest and lowest known types is accepted
    expect(scanFrames(snapshotFrame('{}')).frames.map((f) => f.type)).toEqual([FrameType.Snapshot]);
    expect(scanFrames(rowsFrame(ascii(''), 0, 0, '')).frames.map((f) => f.type)).toEqual([FrameType.Rows]);
  });
});
