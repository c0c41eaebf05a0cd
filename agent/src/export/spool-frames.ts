// The spool's on-disk record format: a segment file is a sequence of frames
//   [type u8][body length u32 LE][crc32(body) u32 LE][body]
// A frame is written with one write(2); a process kill leaves whole frames, a power loss may leave a
// torn or zeroed tail, which the crc finds: reading stops at the first bad frame and the file is
// truncated there. Bodies:
//   ROWS     [samples u32][events u32][rows length u32][rows: ExportRequest bytes][checkpoints JSON]
//            rows taken into the open batch (repeated fields only), with the log positions they
//            came from (one write: the rows and the offsets that produced them are on disk together)
//   CUT      [seq f64][createdMs f64][samples u32][events u32][header: ExportRequest bytes]
//            closes the open batch: its ROWS since the previous cut + this header (agent_id,
//            batch_seq, host) concatenated are the batch's ExportRequest (protobuf merge semantics)
//   BATCH    same header fields, then a whole ExportRequest (a batch rewritten without its samples,
//            one appended whole, or one imported from the old file-per-batch spool)
//   GONE     [seq f64]...: batches acked or dropped (written without fsync: a lost GONE only means a
//            batch is sent again and the collector answers "duplicate")
//   SNAPSHOT JSON {nextSeq, checkpoints, gone}: the first frame of every segment
import * as zlib from 'node:zlib';

export const FRAME_HEADER = 9;
export const FrameType = { Rows: 1, Cut: 2, Batch: 3, Gone: 4, Snapshot: 5 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zlib) in JavaScript: the reference, and the fallback where node:zlib lacks crc32 (Node < 20.15). */
export function crc32Js(b: Uint8Array, from = 0, to = b.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = (CRC_TABLE[(c ^ (b[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// zlib's crc32 is native: the JavaScript loop, run by the daemon's interpreter (--no-opt), boxed a
// heap number per byte (~45 KB of garbage a second in the agent-overhead run).
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(b: Uint8Array, from = 0, to = b.length): number {
  return nativeCrc32 === undefined ? crc32Js(b, from, to) : nativeCrc32(b.subarray(from, to));
}

/** One frame: the header filled in over `body`, which starts FRAME_HEADER bytes into `buf`. */
function seal(type: FrameType, buf: Buffer): Buffer {
  buf.writeUInt8(type, 0);
  buf.writeUInt32LE(buf.length - FRAME_HEADER, 1);
  buf.writeUInt32LE(crc32(buf, FRAME_HEADER), 5);
  return buf;
}

export function rowsFrame(rows: Uint8Array, samples: number, events: number, checkpoints: string): Buffer {
  const cp = checkpoints === '' ? 0 : Buffer.byteLength(checkpoints);
  const buf = Buffer.allocUnsafe(FRAME_HEADER + 12 + rows.length + cp);
  buf.writeUInt32LE(samples, 9);
  buf.writeUInt32LE(events, 13);
  buf.writeUInt32LE(rows.length, 17);
  buf.set(rows, 21);
  if (cp > 0) buf.write(checkpoints, 21 + rows.length);
  return seal(FrameType.Rows, buf);
}

export interface BatchHead {
  seq: number;
  createdMs: number;
  samples: number;
  events: number;
}

/** A CUT (`pb` = the header) or BATCH (`pb` = the whole request) frame. */
export function batchFrame(type: typeof FrameType.Cut | typeof FrameType.Batch, h: BatchHead, pb: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + 24 + pb.length);
  buf.writeDoubleLE(h.seq, 9);
  buf.writeDoubleLE(h.createdMs, 17);
  buf.writeUInt32LE(h.samples, 25);
  buf.writeUInt32LE(h.events, 29);
  buf.set(pb, 33);
  return seal(type, buf);
}

export function goneFrame(seqs: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + 8 * seqs.length);
  seqs.forEach((s, i) => buf.writeDoubleLE(s, FRAME_HEADER + 8 * i));
  return seal(FrameType.Gone, buf);
}

export function snapshotFrame(json: string): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + Buffer.byteLength(json));
  buf.write(json, FRAME_HEADER);
  return seal(FrameType.Snapshot, buf);
}

export interface Frame {
  type: FrameType;
  /** Offset of the frame's first byte and just past its end, in the scanned buffer. */
  start: number;
  end: number;
  body: Buffer;
}

/** The whole, intact frames of `buf` from `at`, in order; `validEnd` is where the intact part ends. */
export function scanFrames(buf: Buffer, at = 0): { frames: Frame[]; validEnd: number } {
  const frames: Frame[] = [];
  let p = at;
  while (p + FRAME_HEADER <= buf.length) {
    const type = buf.readUInt8(p) as FrameType;
    const len = buf.readUInt32LE(p + 1);
    if (type < FrameType.Rows || type > FrameType.Snapshot || p + FRAME_HEADER + len > buf.length) break;
    if (crc32(buf, p + FRAME_HEADER, p + FRAME_HEADER + len) !== buf.readUInt32LE(p + 5)) break;
    frames.push({ type, start: p, end: p + FRAME_HEADER + len, body: buf.subarray(p + FRAME_HEADER, p + FRAME_HEADER + len) });
    p += FRAME_HEADER + len;
  }
  return { frames, validEnd: p };
}

export const readHead = (body: Buffer): BatchHead => ({
  seq: body.readDoubleLE(0),
  createdMs: body.readDoubleLE(8),
  samples: body.readUInt32LE(16),
  events: body.readUInt32LE(20),
});
export const headPb = (body: Buffer): Buffer => body.subarray(24);
export const rowsCounts = (body: Buffer): { samples: number; events: number } => ({ samples: body.readUInt32LE(0), events: body.readUInt32LE(4) });
export const rowsPb = (body: Buffer): Buffer => body.subarray(12, 12 + body.readUInt32LE(8));
export const rowsCheckpoints = (body: Buffer): string => body.toString('utf8', 12 + body.readUInt32LE(8));
export function goneSeqs(body: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 8 <= body.length; i += 8) out.push(body.readDoubleLE(i));
  return out;
}
