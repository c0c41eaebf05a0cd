// The on-disk spool: every sample and event is appended to the current segment file as it is taken
// (one write(2), no fsync: it survives a kill of the agent), together with the log positions it came
// from; cutting a batch appends a CUT frame and fdatasyncs the segment once (a power loss keeps every
// cut batch). A batch is deleted only when the collector acks it, so a collector outage or an agent
// crash loses nothing and reorders nothing. Bounded by size and age: when over the size limit the
// oldest *samples* go first (a batch that also holds events is rewritten without its samples),
// events last; every drop is counted. batch_seq continues after the largest seq the spool held.
//
// Layout: <dir>/seg-<id:16>.log, frames as in spool-frames.ts. A new segment starts at a cut once the
// current one is over `segmentBytes`, with a SNAPSHOT frame (next seq, log positions, gone seqs), one
// fsync of the file and one of the directory; a segment is deleted when none of its batches is
// unacked. Recovery scans the segments in order, truncates a torn tail, and keeps appending to the
// last one: rows taken but not yet cut before a crash are cut into the next batch.
// File I/O is synchronous on purpose: a few small writes a second, and the ordering of
// take → write → cut → send → ack stays trivially correct.
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import type { Logger } from 'pino';
import type { BatchStore, StoredBatch } from './batch-store.js';
import {
  batchFrame,
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
  type BatchHead,
} from './spool-frames.js';
import { importLegacyBatches } from './spool-legacy.js';
import { NumberInt64Writer } from './wire-writer.js';

export interface SpoolOptions {
  dir: string;
  /** Size limit of all spooled batches, bytes. */
  maxBytes: number;
  /** Batches older than this are dropped, ms. */
  maxAgeMs: number;
  log: Logger;
  now?: () => number;
  /** fsync at every cut (default true; off only for simulations of many agents). */
  fsync?: boolean;
  /** A new segment file starts at a cut once the current one is this big (default maxBytes/16 in [16 KiB, 8 MiB]). */
  segmentBytes?: number;
}

export interface SpoolStats {
  batches: number;
  bytes: number;
  /** GPU and host samples dropped because of the size or age limit since start. */
  droppedSamples: number;
  /** Runtime events and GPU status events dropped since start. */
  droppedEvents: number;
}

/** Where a followed log file was read up to (inode + byte offset). */
export interface Checkpoint {
  readonly ino: number;
  readonly offset: number;
}
export type Checkpoints = Readonly<Record<string, Checkpoint>>;

export interface Spool extends BatchStore {
  /** The batch_seq the next batch must use: after every seq this spool ever held. */
  readonly nextSeq: number;
  /** Rows (samples + events) taken into the open batch and not cut yet (also those found after a crash). */
  readonly openRows: number;
  /** Appends rows taken (an ExportRequest holding only repeated fields) and the log positions they came from. */
  appendRows(rows: Uint8Array, samples: number, events: number, checkpoints?: Checkpoints): void;
  /** Cuts the open batch under `header` (agent_id, batch_seq >= nextSeq, host) and fsyncs; false when it is empty. */
  cut(header: ExportRequest): boolean;
  /** Persists a whole batch (fsync'd). Its batch_seq must be >= nextSeq. */
  append(req: ExportRequest): void;
  /** The last position spooled for a followed log, if any. */
  checkpoint(key: string): Checkpoint | undefined;
  stats(): SpoolStats;
  close(): void;
}

interface Segment {
  id: number;
  file: string;
  fd: number;
  size: number;
  live: number;
  seqs: number[];
}

interface Entry extends BatchHead {
  bytes: number;
  seg: Segment;
  /** Byte range in the segment: from the end of the previous cut through this batch's CUT or BATCH frame. */
  start: number;
  end: number;
  whole: boolean;
}

const SEG = /^seg-(\d{16})\.log$/;
const segName = (id: number): string => `seg-${String(id).padStart(16, '0')}.log`;
const samplesOf = (r: ExportRequest): number => r.gpuSamples.length + r.hostSamples.length;
const eventsOf = (r: ExportRequest): number => r.events.length + r.gpuStatus.length;
const NO_ROWS = { gpuSamples: [], hostSamples: [], events: [], gpuStatus: [] };

export function openSpool(o: SpoolOptions): Spool {
  const now = o.now ?? Date.now;
  const sync = o.fsync ?? true;
  const segBytes = o.segmentBytes ?? Math.min(8 << 20, Math.max(16 << 10, Math.floor(o.maxBytes / 16)));
  const log = o.log.child({ module: 'export.spool' });
  mkdirSync(o.dir, { recursive: true });
  const segments: Segment[] = [];
  let entries: Entry[] = [];
  const checkpoints = new Map<string, Checkpoint>();
  let bytes = 0;
  /** Largest batch_seq ever held (persisted in every segment's snapshot and by every cut). */
  let lastSeq = 0;
  let startSeq = 0;
  const nextSeqNow = (): number => Math.max(startSeq, lastSeq + 1);
  let droppedSamples = 0;
  let droppedEvents = 0;
  const open = { from: 0, samples: 0, events: 0, bytes: 0 };
  let cur: Segment | undefined;

  const path = (s: Segment): string => join(o.dir, s.file);
  function syncDir(): void {
    if (!sync) return;
    const fd = openSync(o.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  /** One frame, one write; a failed or short write is cut off again so the file stays readable, and throws. */
  function write(buf: Buffer): void {
    const s = cur as Segment;
    let n = 0;
    try {
      n = writeSync(s.fd, buf, 0, buf.length, s.size);
    } finally {
      if (n !== buf.length) ftruncateSync(s.fd, s.size);
    }
    // A short write (a full disk) was cut off too: the next frame goes where this one started.
    if (n !== buf.length) throw new Error(`spool: short write, ${n} of ${buf.length} bytes (disk full?)`);
    s.size += n;
  }
  function setCheckpoints(json: string): void {
    if (json === '') return;
    for (const [k, v] of Object.entries(JSON.parse(json) as Record<string, Checkpoint>)) checkpoints.set(k, v);
  }
  function deleteSegment(s: Segment): void {
    closeSync(s.fd);
    rmSync(path(s), { force: true });
    segments.splice(segments.indexOf(s), 1);
  }
  function roll(): void {
    const id = (segments.at(-1)?.id ?? 0) + 1;
    const s: Segment = { id, file: segName(id), fd: -1, size: 0, live: 0, seqs: [] };
    s.fd = openSync(path(s), 'wx+');
    const live = new Set(entries.map((e) => e.seq));
    const gone = segments.flatMap((x) => x.seqs.filter((q) => !live.has(q)));
    const prev = cur;
    cur = s;
    segments.push(s);
    write(snapshotFrame(JSON.stringify({ lastSeq, checkpoints: Object.fromEntries(checkpoints), gone })));
    if (sync) fdatasyncSync(s.fd);
    syncDir();
    open.from = s.size;
    if (prev !== undefined && prev.live === 0) deleteSegment(prev);
  }
  function remove(e: Entry): void {
    entries.splice(entries.indexOf(e), 1);
    bytes -= e.bytes;
    e.seg.live--;
    write(goneFrame([e.seq]));
    if (e.seg !== cur && e.seg.live === 0) deleteSegment(e.seg);
  }
  function drop(e: Entry, why: string, lost = false): void {
    droppedSamples += e.samples;
    droppedEvents += e.events;
    remove(e);
    const f = { batchSeq: e.seq, samples: e.samples, events: e.events, why, droppedSamples, droppedEvents };
    if (lost) log.error(f, 'spooled batch unreadable, dropped');
    else log.warn(f, 'spool limit reached, batch dropped');
  }
  /** The batch's ExportRequest bytes, or undefined when its frames are not intact any more. */
  function readBatch(e: Entry): Buffer | undefined {
    const buf = Buffer.allocUnsafe(e.end - e.start);
    if (readSync(e.seg.fd, buf, 0, buf.length, e.start) !== buf.length) return undefined;
    const { frames, validEnd } = scanFrames(buf);
    const last = frames.at(-1);
    if (validEnd !== buf.length || last === undefined || last.type !== (e.whole ? FrameType.Batch : FrameType.Cut)) return undefined;
    if (readHead(last.body).seq !== e.seq) return undefined;
    if (e.whole) return headPb(last.body);
    const parts = frames.filter((f) => f.type === FrameType.Rows).map((f) => rowsPb(f.body));
    parts.push(headPb(last.body));
    return Buffer.concat(parts);
  }
  function addEntry(h: BatchHead, pb: number, start: number, whole: boolean): void {
    const s = cur as Segment;
    const e: Entry = { ...h, bytes: pb, seg: s, start, end: s.size, whole };
    const at = entries.findIndex((x) => x.seq >= h.seq);
    if (at >= 0 && entries[at]?.seq === h.seq) {
      const old = entries[at] as Entry;
      bytes -= old.bytes;
      old.seg.live--;
      entries[at] = e;
      if (old.seg !== cur && old.seg.live === 0) deleteSegment(old.seg);
    } else if (at >= 0) entries.splice(at, 0, e);
    else entries.push(e);
    bytes += pb;
    s.live++;
    s.seqs.push(h.seq);
    lastSeq = Math.max(lastSeq, h.seq);
  }
  function writeWhole(req: ExportRequest, createdMs: number): void {
    const pb = ExportRequest.encode(req, new NumberInt64Writer()).finish();
    const h = { seq: req.batchSeq, createdMs, samples: samplesOf(req), events: eventsOf(req) };
    const start = (cur as Segment).size;
    write(batchFrame(FrameType.Batch, h, pb));
    if (sync) fdatasyncSync((cur as Segment).fd);
    addEntry(h, pb.length, start, true);
  }
  /** Rewrites a mixed batch without its samples; its events stay spooled. */
  function stripSamples(e: Entry): void {
    const data = readBatch(e);
    if (data === undefined) return drop(e, 'unreadable', true);
    const req = ExportRequest.decode(data);
    droppedSamples += e.samples;
    writeWhole({ ...req, gpuSamples: [], hostSamples: [] }, e.createdMs);
    log.warn({ batchSeq: e.seq, samples: e.samples, droppedSamples }, 'spool limit reached, samples dropped, events kept');
  }
  function enforceAge(): void {
    const oldest = now() - o.maxAgeMs;
    for (const e of entries.filter((x) => x.createdMs < oldest)) drop(e, 'age');
  }
  function enforceSize(): void {
    while (bytes > o.maxBytes && entries.length > 0) {
      const samplesOnly = entries.find((e) => e.samples > 0 && e.events === 0);
      if (samplesOnly !== undefined) {
        drop(samplesOnly, 'size');
        continue;
      }
      const mixed = entries.find((e) => e.samples > 0);
      if (mixed !== undefined) {
        stripSamples(mixed);
        continue;
      }
      const first = entries[0];
      if (first !== undefined) drop(first, 'size');
    }
  }

  // Recover: scan every segment in order; later frames win (a BATCH rewrite over its CUT, GONE).
  const gone = new Set<number>();
  const names = readdirSync(o.dir)
    .filter((n) => SEG.test(n))
    .sort();
  names.forEach((name, i) => {
    const s: Segment = { id: Number(SEG.exec(name)?.[1]), file: name, fd: openSync(join(o.dir, name), 'r+'), size: 0, live: 0, seqs: [] };
    segments.push(s);
    cur = s;
    const buf = readFileSync(join(o.dir, name));
    const { frames, validEnd } = scanFrames(buf);
    s.size = validEnd;
    let from = 0;
    const tail = { samples: 0, events: 0, bytes: 0 };
    for (const f of frames) {
      if (f.type === FrameType.Rows) {
        const c = rowsCounts(f.body);
        tail.samples += c.samples;
        tail.events += c.events;
        tail.bytes += rowsPb(f.body).length;
        setCheckpoints(rowsCheckpoints(f.body));
      } else if (f.type === FrameType.Cut || f.type === FrameType.Batch) {
        const h = readHead(f.body);
        const cut = f.type === FrameType.Cut;
        s.size = f.end; // addEntry takes the end from the segment's size
        addEntry(h, headPb(f.body).length + (cut ? tail.bytes : 0), cut ? from : f.start, !cut);
        if (cut) {
          from = f.end;
          Object.assign(tail, { samples: 0, events: 0, bytes: 0 });
        }
      } else if (f.type === FrameType.Gone) for (const q of goneSeqs(f.body)) gone.add(q);
      else {
        const snap = JSON.parse(f.body.toString('utf8')) as { lastSeq: number; checkpoints: Record<string, Checkpoint>; gone: number[] };
        lastSeq = Math.max(lastSeq, snap.lastSeq);
        checkpoints.clear();
        setCheckpoints(JSON.stringify(snap.checkpoints));
        for (const q of snap.gone) gone.add(q);
      }
    }
    s.size = validEnd;
    if (validEnd < buf.length) {
      log.warn({ segment: name, at: validEnd, bytes: buf.length - validEnd }, 'spool segment has a torn tail (crash or power loss); cut off');
      ftruncateSync(s.fd, validEnd);
    }
    if (i === names.length - 1) Object.assign(open, { from, ...tail });
    else if (tail.samples + tail.events > 0) {
      droppedSamples += tail.samples;
      droppedEvents += tail.events;
      log.error({ segment: name, samples: tail.samples, events: tail.events }, 'uncut rows in an older spool segment, dropped');
    }
  });
  for (const e of entries.filter((x) => gone.has(x.seq))) {
    entries.splice(entries.indexOf(e), 1);
    bytes -= e.bytes;
    e.seg.live--;
  }
  const legacy = importLegacyBatches(o.dir, log);
  lastSeq = Math.max(lastSeq, legacy.lastSeq);
  // No state at all: the clock gives a start above anything an earlier, stateless run used.
  startSeq = lastSeq > 0 ? lastSeq + 1 : now();
  if (cur === undefined) roll();
  for (const s of segments.filter((x) => x !== cur && x.live === 0)) deleteSegment(s);
  for (const b of legacy.batches) if (!entries.some((e) => e.seq === b.req.batchSeq)) writeWhole(b.req, b.createdMs);
  legacy.done();
  if (entries.length > 0 || open.samples + open.events > 0)
    log.info({ batches: entries.length, bytes, openRows: open.samples + open.events, nextSeq: nextSeqNow() }, 'spool recovered, resending unacked batches');
  enforceAge();

  return {
    get nextSeq() {
      return nextSeqNow();
    },
    get openRows() {
      return open.samples + open.events;
    },
    appendRows(rows, samples, events, cps) {
      write(rowsFrame(rows, samples, events, cps === undefined ? '' : JSON.stringify(cps)));
      if (cps !== undefined) for (const [k, v] of Object.entries(cps)) checkpoints.set(k, v);
      open.samples += samples;
      open.events += events;
      open.bytes += rows.length;
    },
    cut(header) {
      if (open.samples + open.events === 0) return false;
      const pb = ExportRequest.encode({ ...header, ...NO_ROWS }, new NumberInt64Writer()).finish();
      const h = { seq: header.batchSeq, createdMs: now(), samples: open.samples, events: open.events };
      write(batchFrame(FrameType.Cut, h, pb));
      if (sync) fdatasyncSync((cur as Segment).fd);
      addEntry(h, pb.length + open.bytes, open.from, false);
      Object.assign(open, { from: (cur as Segment).size, samples: 0, events: 0, bytes: 0 });
      enforceAge();
      enforceSize();
      if ((cur as Segment).size >= segBytes) roll();
      return true;
    },
    append(req) {
      writeWhole(req, now());
      enforceAge();
      enforceSize();
      if ((cur as Segment).size >= segBytes && open.samples + open.events === 0) roll();
    },
    checkpoint: (key) => checkpoints.get(key),
    head(n) {
      enforceAge();
      return entries.slice(0, n).map((first): StoredBatch => {
        const bytesOf = (): Buffer | undefined => {
          // Looked up again: the batch may have been dropped or rewritten meanwhile.
          const e = entries.find((x) => x.seq === first.seq);
          if (e === undefined) return undefined;
          const data = readBatch(e);
          if (data === undefined) drop(e, 'frames not intact', true);
          return data;
        };
        return {
          seq: first.seq,
          rows: first.samples + first.events,
          bytes: bytesOf,
          load() {
            const data = bytesOf();
            return data === undefined ? undefined : ExportRequest.decode(data);
          },
        };
      });
    },
    ack(seq) {
      const e = entries.find((x) => x.seq === seq);
      if (e !== undefined) remove(e);
    },
    get size() {
      return entries.length;
    },
    stats: () => ({ batches: entries.length, bytes, droppedSamples, droppedEvents }),
    close() {
      for (const s of segments) closeSync(s.fd);
      segments.length = 0;
      entries = [];
    },
  };
}
