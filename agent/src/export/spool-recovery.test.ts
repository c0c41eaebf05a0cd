// The spool's segments across restarts, exactly: batches kept in seq order whatever order they
// arrive in, a batch rewritten in a later segment, an import of the old spool cut short by a crash,
// segments left with nothing live (deleted at a roll or at open), uncut rows in a segment that is not
// the last, batch_seq and the gone list carried by the snapshot, foreign files, a cut whose rows
// surround a whole batch, and the segment limit's edge.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportRequest } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import type { Spool } from './spool.js';
import { FrameType, scanFrames, snapshotFrame } from './spool-frames.js';
import { events, gpus, header, open, rows, segFiles, seqs, size, tempDirs, writeLegacy } from './spool-test-kit.js';

const tmp = tempDirs('rw-spool-rec-');
/** Appends `samples` GPU samples and `evs` events in one frame and cuts them as `seq`. */
function cutBatch(s: Spool, seq: number, samples: number, evs = 0): void {
  s.appendRows(rows(samples, evs), samples, evs);
  expect(s.cut(header(seq))).toBe(true);
}
/** The bytes a cut batch counts: its header plus its rows. */
const cutBytes = (seq: number, samples: number, evs = 0): number => size(header(seq)) + rows(samples, evs).length;
const shapes = (s: Spool): (number | undefined)[][] =>
  s.head(100).map((b) => {
    const r = b.load();
    return [r?.batchSeq, r?.gpuSamples.length, r?.events.length];
  });
const seg = (id: number): string => `seg-${String(id).padStart(16, '0')}.log`;

describe('spool segments across restarts', () => {
  it('hands batches out in seq order when imported ones are older than those already spooled', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 10, 1);
    cutBatch(a, 20, 1);
    writeLegacy(dir, { ...header(5), gpuSamples: gpus(2) });
    writeLegacy(dir, { ...header(15), gpuSamples: gpus(3) });
    const b = open(dir);
    expect(shapes(b)).toEqual([
      [5, 2, 0],
      [10, 1, 0],
      [15, 3, 0],
      [20, 1, 0],
    ]);
    expect(b.stats()).toEqual({
      batches: 4,
      bytes: 2 * cutBytes(10, 1) + size({ ...header(5), gpuSamples: gpus(2) }) + size({ ...header(15), gpuSamples: gpus(3) }),
      droppedSamples: 0,
      droppedEvents: 0,
    });
  });

  it('after a crash in the middle of the old spool import moves only the batches not moved yet', () => {
    const dir = tmp();
    const old = [1, 2, 3].map((q) => ({ ...header(q), gpuSamples: gpus(q) }));
    writeLegacy(dir, old[0] as ExportRequest);
    writeLegacy(dir, old[1] as ExportRequest);
    open(dir); // moves 1 and 2 and removes their files
    const [file] = segFiles(dir);
    const moved = statSync(join(dir, file as string)).size;
    // What a crash before the old files were removed leaves, with 3 not moved yet.
    for (const r of old) writeLegacy(dir, r);
    const b = open(dir);
    expect(shapes(b)).toEqual([
      [1, 1, 0],
      [2, 2, 0],
      [3, 3, 0],
    ]);
    // One BATCH frame more (9 bytes frame header, 24 bytes batch head, the request): 1 and 2 not written twice.
    expect(statSync(join(dir, file as string)).size).toBe(moved + 9 + 24 + size(old[2] as ExportRequest));
    expect(segFiles(dir)).toEqual(readdirSync(dir));
  });

  it('deletes a segment when its only batch is rewritten without samples into a later one', () => {
    const dir = tmp();
    const stripped = size({ ...header(1), events: events(1) });
    const maxBytes = cutBytes(1, 10, 1) + cutBytes(2, 0, 1) - 1;
    expect(stripped + cutBytes(2, 0, 1)).toBeLessThanOrEqual(maxBytes);
    const a = open(dir, { segmentBytes: 1, maxBytes });
    cutBatch(a, 1, 10, 1); // segment 1; segment 2 starts
    expect(segFiles(dir)).toEqual([seg(1), seg(2)]);
    cutBatch(a, 2, 0, 1); // over the limit by 1 byte: batch 1 is rewritten in segment 2 without its samples
    expect(segFiles(dir)).toEqual([seg(2), seg(3)]);
    expect(shapes(a)).toEqual([
      [1, 0, 1],
      [2, 0, 1],
    ]);
    expect(a.stats()).toEqual({ batches: 2, bytes: stripped + cutBytes(2, 0, 1), droppedSamples: 10, droppedEvents: 0 });
    const b = open(dir, { segmentBytes: 1, maxBytes });
    expect(shapes(b)).toEqual(shapes(a));
    expect(b.stats()).toEqual({ ...a.stats(), droppedSamples: 0 });
  });

  it('keeps a segment whose other batches are live when one of its batches is rewritten elsewhere, and deletes it with the last', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 1, 10, 1);
    cutBatch(a, 2, 0, 1);
    // Restart with one batch per segment: 3 closes segment 1, 4 goes to segment 2 and overfills.
    const stripped = size({ ...header(1), events: events(1) });
    const maxBytes = cutBytes(1, 10, 1) + cutBytes(2, 0, 1) + cutBytes(3, 0, 1);
    const b = open(dir, { segmentBytes: 1, maxBytes });
    cutBatch(b, 3, 0, 1);
    cutBatch(b, 4, 0, 1);
    expect(b.stats()).toEqual({
      batches: 4,
      bytes: stripped + cutBytes(2, 0, 1) + cutBytes(3, 0, 1) + cutBytes(4, 0, 1),
      droppedSamples: 10,
      droppedEvents: 0,
    });
    expect(segFiles(dir)).toEqual([seg(1), seg(2), seg(3)]);
    expect(shapes(b)).toEqual([
      [1, 0, 1],
      [2, 0, 1],
      [3, 0, 1],
      [4, 0, 1],
    ]);
    b.ack(2);
    expect(segFiles(dir)).toEqual([seg(1), seg(2), seg(3)]);
    b.ack(3);
    expect(segFiles(dir)).toEqual([seg(2), seg(3)]);
    expect(shapes(open(dir, { segmentBytes: 1, maxBytes }))).toEqual([
      [1, 0, 1],
      [4, 0, 1],
    ]);
  });

  it('drops a mixed batch whole, counted, when it cannot be read back to strip its samples', () => {
    const dir = tmp();
    const maxBytes = cutBytes(1, 2, 1) + cutBytes(2, 0, 1) - 1;
    const s = open(dir, { maxBytes });
    cutBatch(s, 1, 2, 1);
    const file = join(dir, segFiles(dir)[0] as string);
    const data = readFileSync(file);
    data[data.indexOf(Buffer.from('GPU-1'))] = 0x58; // batch 1's rows no longer match their crc
    writeFileSync(file, data);
    cutBatch(s, 2, 0, 1);
    expect(shapes(s)).toEqual([[2, 0, 1]]);
    expect(s.stats()).toEqual({ batches: 1, bytes: cutBytes(2, 0, 1), droppedSamples: 2, droppedEvents: 1 });
  });

  it('drops rows never cut in a segment that is not the last, counted, and keeps its batches', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 1, 2);
    a.appendRows(rows(2, 2), 2, 2); // never cut
    // A later segment (only a snapshot): the rows above can no longer be cut into a batch.
    writeFileSync(join(dir, seg(2)), snapshotFrame(JSON.stringify({ lastSeq: 1, checkpoints: {}, gone: [] })));
    const b = open(dir);
    expect(b.openRows).toBe(0);
    expect(shapes(b)).toEqual([[1, 2, 0]]);
    expect(b.stats()).toEqual({ batches: 1, bytes: cutBytes(1, 2), droppedSamples: 2, droppedEvents: 2 });
    expect(b.nextSeq).toBe(2);
  });

  it('deletes a segment whose batches were all dropped when the next segment starts', () => {
    const dir = tmp();
    const s = open(dir, { maxBytes: 1, segmentBytes: 1 });
    cutBatch(s, 1, 3);
    expect(s.stats()).toEqual({ batches: 0, bytes: 0, droppedSamples: 3, droppedEvents: 0 });
    expect(segFiles(dir)).toEqual([seg(2)]);
  });

  it('after a restart leaves acked batches out of the byte count and of their segment, deleted with its last live batch', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 1, 1);
    cutBatch(a, 2, 3);
    a.ack(1);
    const b = open(dir, { segmentBytes: 1 });
    expect(b.stats()).toEqual({ batches: 1, bytes: cutBytes(2, 3), droppedSamples: 0, droppedEvents: 0 });
    cutBatch(b, 3, 1); // still in segment 1, which is closed: segment 2 starts
    b.ack(2);
    expect(segFiles(dir)).toEqual([seg(1), seg(2)]);
    b.ack(3);
    expect(segFiles(dir)).toEqual([seg(2)]);
  });

  it('at open deletes a segment holding only acked batches (a crash between its last GONE and its deletion)', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 1 });
    cutBatch(a, 1, 1);
    cutBatch(a, 2, 2);
    const first = readFileSync(join(dir, seg(1)));
    a.ack(1); // GONE(1) in segment 3, segment 1 deleted ...
    writeFileSync(join(dir, seg(1)), first); // ... or not yet, when the agent was killed in between
    const b = open(dir, { segmentBytes: 1 });
    expect(segFiles(dir)).toEqual([seg(2), seg(3)]);
    expect(shapes(b)).toEqual([[2, 2, 0]]);
    expect(b.stats()).toEqual({ batches: 1, bytes: cutBytes(2, 2), droppedSamples: 0, droppedEvents: 0 });
  });

  it('continues batch_seq from the snapshot when the segments that held every batch are gone', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 1 });
    cutBatch(a, 5, 1);
    a.ack(5);
    expect(segFiles(dir)).toEqual([seg(2)]);
    expect(open(dir).nextSeq).toBe(6);
  });

  it('numbers a new segment after the highest one and writes exactly the acked seqs of live segments in its snapshot', () => {
    const dir = tmp();
    const a = open(dir);
    cutBatch(a, 1, 1);
    cutBatch(a, 2, 1);
    a.ack(1);
    const b = open(dir, { segmentBytes: 1 });
    for (const q of [3, 4, 5]) cutBatch(b, q, 1);
    expect(segFiles(dir)).toEqual([seg(1), seg(2), seg(3), seg(4)]);
    const [snap] = scanFrames(readFileSync(join(dir, seg(4)))).frames;
    expect(snap?.type).toBe(FrameType.Snapshot);
    expect(JSON.parse(snap?.body.toString('utf8') ?? '')).toEqual({ lastSeq: 5, checkpoints: {}, gone: [1] });
    expect(seqs(open(dir, { segmentBytes: 1 }))).toEqual([2, 3, 4, 5]);
  });

  it('leaves files that only look like segments alone', () => {
    const dir = tmp();
    const foreign = ['seg-0000000000000009.log.bak', 'old-seg-0000000000000009.log'];
    for (const f of foreign) writeFileSync(join(dir, f), 'not a segment');
    const a = open(dir);
    cutBatch(a, 1, 1);
    const b = open(dir);
    cutBatch(b, 2, 1);
    expect(seqs(open(dir))).toEqual([1, 2]);
    for (const f of foreign) expect(readFileSync(join(dir, f), 'utf8')).toBe('not a segment');
    expect(segFiles(dir)).toEqual([seg(1), 'seg-0000000000000009.log.bak']);
  });

  it('recovers a cut whose rows were appended before and after a whole batch', () => {
    const dir = tmp();
    const a = open(dir);
    a.appendRows(rows(2, 0), 2, 0);
    a.append({ ...header(1), events: events(1) });
    a.appendRows(rows(3, 1), 3, 1);
    expect(a.cut(header(2))).toBe(true);
    const want = [
      [1, 0, 1],
      [2, 5, 1],
    ];
    expect(shapes(a)).toEqual(want);
    const b = open(dir);
    expect(shapes(b)).toEqual(want);
    expect(b.stats()).toEqual(a.stats());
    expect(b.head(2).map((x) => x.rows)).toEqual([1, 6]);
  });
});
