// The spool's bookkeeping, exactly: bytes and rows per batch (also after a restart), open rows,
// the default segment size, where segments start and when they are deleted, the acked batches a
// deleted segment's GONE frames named (kept in the next segment's snapshot), the age limit's edge.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import type { Spool } from './spool.js';
import { encodeRows, event, events, gpu, gpus, header, headerBytes, open, segFiles, seqs, T, tempDirs } from './spool-test-kit.js';

const tmp = tempDirs('rw-spool-acct-');
const gpuRows = (n: number): Uint8Array => encodeRows({ gpuSamples: gpus(n) });
const eventRows = (n: number): Uint8Array => encodeRows({ events: events(n) });

describe('spool bookkeeping', () => {
  it('counts bytes, rows and open rows exactly, and finds the same after a crash', () => {
    const dir = tmp();
    const s = open(dir);
    const g = gpuRows(3);
    const e = eventRows(2);
    s.appendRows(g, 3, 0);
    s.appendRows(e, 0, 2, { log: { ino: 1, offset: 10 } });
    expect(s.openRows).toBe(5);
    expect(s.stats()).toEqual({ batches: 0, bytes: 0, droppedSamples: 0, droppedEvents: 0 });
    expect(s.cut(header(100))).toBe(true);
    expect(s.cut(header(101))).toBe(false); // nothing open
    const want = { batches: 1, bytes: headerBytes(100) + g.length + e.length, droppedSamples: 0, droppedEvents: 0 };
    expect(s.stats()).toEqual(want);
    expect(s.openRows).toBe(0);
    expect(s.head(1).map((b) => [b.seq, b.rows])).toEqual([[100, 5]]);
    s.appendRows(gpuRows(2), 2, 0);
    s.appendRows(eventRows(1), 0, 1);
    const b = open(dir); // the first was never closed: what SIGKILL leaves
    expect(b.stats()).toEqual(want);
    expect(b.openRows).toBe(3);
    expect(b.checkpoint('log')).toEqual({ ino: 1, offset: 10 });
    expect(b.head(1).map((x) => [x.seq, x.rows])).toEqual([[100, 5]]);
    expect(b.nextSeq).toBe(101);
    b.ack(100);
    expect(b.stats()).toMatchObject({ batches: 0, bytes: 0 });
    expect(b.cut(header(101))).toBe(true);
    expect(b.stats().bytes).toBe(headerBytes(101) + gpuRows(2).length + eventRows(1).length);
  });

  it('a whole batch counts GPU and host samples as samples, events and GPU status as events; a full spool drops them counted', () => {
    const req: ExportRequest = {
      ...header(7),
      gpuSamples: [gpu(0), gpu(1)],
      hostSamples: [{ tsUnixMs: T, volumes: [] }],
      events: [event(0), event(1), event(2)],
      gpuStatus: [{ tsUnixMs: T, gpuIndex: 0, gpuUuid: 'GPU-0', status: 'xid', xid: 79, detail: 'XID 79' }],
    };
    const roomy = open(tmp());
    roomy.append(req);
    expect(roomy.head(1).map((b) => [b.seq, b.rows])).toEqual([[7, 7]]);
    expect(roomy.stats()).toEqual({ batches: 1, bytes: ExportRequest.encode(req).finish().length, droppedSamples: 0, droppedEvents: 0 });
    const full = open(tmp(), { maxBytes: 1 });
    full.append(req);
    expect(full.stats()).toEqual({ batches: 0, bytes: 0, droppedSamples: 3, droppedEvents: 4 });
  });

  it('by default starts a new segment at the first cut at or past maxBytes/16 (at least 16 KiB)', () => {
    for (const [maxBytes, segBytes] of [
      [16 * 40_000, 40_000],
      [64 * 1024, 16 * 1024],
    ] as const) {
      const dir = tmp();
      const s = open(dir, { maxBytes });
      const rows = gpuRows(20);
      let seq = 1;
      while (segFiles(dir).length === 1) {
        s.appendRows(rows, 20, 0);
        s.cut(header(seq++)); // unacked: a segment whose batches are all acked is deleted when the next starts
      }
      const first = statSync(join(dir, segFiles(dir)[0] as string)).size;
      expect(first).toBeGreaterThanOrEqual(segBytes);
      expect(first).toBeLessThan(segBytes + rows.length + 200);
    }
  });

  it('starts a segment after the cut that reaches segmentBytes and deletes one when its last batch is acked', () => {
    const dir = tmp();
    const s = open(dir, { segmentBytes: 1 }); // every cut ends its segment
    expect(segFiles(dir)).toHaveLength(1);
    s.appendRows(gpuRows(1), 1, 0);
    s.cut(header(1));
    s.appendRows(gpuRows(1), 1, 0);
    s.cut(header(2));
    const [one, two, three] = segFiles(dir);
    expect(segFiles(dir)).toHaveLength(3);
    s.ack(2);
    expect(segFiles(dir)).toEqual([one, three]);
    s.ack(1);
    expect(segFiles(dir)).toEqual([three]);
    expect(two).toBeDefined();
    expect(seqs(open(dir))).toEqual([]);
  });

  it('keeps an acked batch gone after a restart even when the segment holding its GONE frame was deleted', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 1 << 20 });
    for (const q of [1, 2]) {
      a.appendRows(gpuRows(1), 1, 0);
      a.cut(header(q));
    }
    // restart with tiny segments: batch 3 closes segment 1, batch 4 is alone in segment 2
    const b = open(dir, { segmentBytes: 1 });
    b.appendRows(gpuRows(1), 1, 0);
    b.cut(header(3));
    b.ack(2); // GONE(2) goes to segment 2
    b.appendRows(gpuRows(1), 1, 0);
    b.cut(header(4)); // segment 3 starts; its snapshot names 2 as gone
    b.ack(4); // segment 2 (batch 4 and GONE(2)) is deleted
    expect(segFiles(dir)).toHaveLength(2);
    expect(seqs(open(dir, { segmentBytes: 1 }))).toEqual([1, 3]);
  });

  it('keeps a batch exactly as old as the age limit and drops it a millisecond later', () => {
    const dir = tmp();
    const a = open(dir, { maxAgeMs: 1000, now: () => T });
    a.append({ ...header(5), gpuSamples: [gpu(0)] });
    expect(seqs(open(dir, { maxAgeMs: 1000, now: () => T + 1000 }))).toEqual([5]);
    const late = open(dir, { maxAgeMs: 1000, now: () => T + 1001 });
    expect(seqs(late)).toEqual([]);
    expect(late.stats()).toMatchObject({ droppedSamples: 1, droppedEvents: 0 });
  });
});

const mixed = (n: number): Uint8Array => encodeRows({ gpuSamples: [gpu(0)], events: events(n) });
const cutOne = (s: Spool): void => {
  s.appendRows(gpuRows(1), 1, 0);
  s.cut(header(1));
};
const appendOne = (s: Spool): void => s.append({ ...header(1), gpuSamples: [gpu(0)] });
/** The size of the first segment after `act` on a fresh spool with room to spare. */
function segmentAfter(act: (s: Spool) => void): number {
  const dir = tmp();
  act(open(dir, { segmentBytes: 1 << 20 }));
  return statSync(join(dir, segFiles(dir)[0] as string)).size;
}
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('spool interface edges', () => {
  it('cuts a batch with as many samples as events, and the next seq follows it without a restart', () => {
    const s = open(tmp());
    expect(s.nextSeq).toBe(T); // no state: the clock
    s.appendRows(mixed(1), 1, 1);
    expect(s.cut(header(T))).toBe(true);
    expect(s.nextSeq).toBe(T + 1);
    expect(s.head(1).map((b) => [b.seq, b.rows])).toEqual([[T, 2]]);
  });

  it('takes only agent_id, batch_seq and host from the header of a cut, never rows', () => {
    const s = open(tmp());
    s.appendRows(gpuRows(2), 2, 0);
    s.cut({ ...header(3), gpuSamples: [gpu(9)], events: [event(9)] });
    const r = s.head(1)[0]?.load();
    expect([r?.agentId, r?.batchSeq, r?.host?.hostname, r?.gpuSamples.map((g) => g.index), r?.events.length]).toEqual(['a1', 3, 'h1', [0, 1], 0]);
  });

  it('head(n) hands out at most n batches, and a batch acked after it was handed out loads as nothing', () => {
    const s = open(tmp());
    for (const q of [1, 2, 3]) {
      s.appendRows(gpuRows(1), 1, 0);
      s.cut(header(q));
    }
    expect(s.head(2).map((b) => b.seq)).toEqual([1, 2]);
    const [first] = s.head(1);
    s.ack(1);
    expect(first?.load()).toBeUndefined();
    expect(first?.bytes?.()).toBeUndefined();
    expect(s.stats()).toMatchObject({ batches: 2, droppedSamples: 0, droppedEvents: 0 });
  });

  it('starts a new segment when a cut or a whole batch ends exactly on segmentBytes, not one byte before', () => {
    for (const act of [cutOne, appendOne]) {
      const end = segmentAfter(act);
      for (const [segmentBytes, files] of [
        [end, 2],
        [end + 1, 1],
      ] as const) {
        const dir = tmp();
        act(open(dir, { segmentBytes }));
        expect(segFiles(dir)).toHaveLength(files);
      }
    }
  });

  it('does not start a segment after a whole batch while rows are open: they are cut into the next batch intact', () => {
    const dir = tmp();
    const s = open(dir, { segmentBytes: 1 });
    s.appendRows(mixed(1), 1, 1);
    s.append({ ...header(1), gpuSamples: [gpu(5)] });
    expect(segFiles(dir)).toHaveLength(1);
    s.cut(header(2));
    expect(segFiles(dir)).toHaveLength(2);
    for (const sp of [s, open(dir, { segmentBytes: 1 })]) {
      expect(sp.head(5).map((b) => [b.seq, b.load()?.gpuSamples.length, b.load()?.events.length])).toEqual([
        [1, 1, 0],
        [2, 1, 1],
      ]);
      expect(sp.stats()).toMatchObject({ batches: 2, droppedSamples: 0, droppedEvents: 0 });
    }
  });

  it('close releases every file it opened and hands out nothing more', () => {
    const dir = tmp();
    const before = openFds();
    const s = open(dir, { segmentBytes: 1 });
    for (const q of [1, 2]) {
      s.appendRows(gpuRows(1), 1, 0);
      s.cut(header(q));
    }
    expect(openFds()).toBe(before + 3);
    s.close();
    expect(openFds()).toBe(before);
    expect([s.size, s.head(5)]).toEqual([0, []]);
    expect(seqs(open(dir))).toEqual([1, 2]);
  });
});
