// The spool as a journal: rows appended as taken, log positions in the same frame, batches cut
// later; a crash (a second spool opened on the directory while the first was never closed, which is
// what the files look like after SIGKILL), a torn tail (power loss), segment rolling, and the
// old file-per-batch spool moved over.
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { encodeRows, gpus, header, jobEvent, open, tempDirs, writeLegacy } from './spool-test-kit.js';

const tmp = tempDirs('rw-journal-');
/** `n` GPU samples (GPU-0, GPU-1, ...) all stamped `ts`. */
const gpuRows = (ts: number, n: number): Uint8Array => encodeRows({ gpuSamples: gpus(n, { tsUnixMs: ts }) });
const eventRows = (job: string): Uint8Array => encodeRows({ events: [jobEvent(5, job, 'job_end')] });

describe('spool journal', () => {
  it('cuts the rows appended since the last cut into one batch whose bytes are the whole ExportRequest', () => {
    const s = open(tmp());
    const seq = s.nextSeq;
    s.appendRows(gpuRows(1000, 2), 2, 0);
    s.appendRows(eventRows('j1'), 0, 1, { 'log-a': { ino: 7, offset: 120 } });
    expect(s.openRows).toBe(3);
    expect(s.cut(header(seq))).toBe(true);
    expect(s.cut(header(seq + 1))).toBe(false); // nothing open
    expect(s.openRows).toBe(0);
    const [b] = s.head(5);
    const req = b?.load();
    expect([b?.seq, b?.rows, req?.agentId, req?.batchSeq, req?.host?.hostname]).toEqual([seq, 3, 'a1', seq, 'h1']);
    expect(req?.gpuSamples.map((g) => [g.tsUnixMs, g.uuid])).toEqual([
      [1000, 'GPU-0'],
      [1000, 'GPU-1'],
    ]);
    expect(req?.events.map((e) => (e.body?.$case === 'jobStart' ? e.body.value.jobId : ''))).toEqual(['j1']);
    expect(ExportRequest.decode(b?.bytes?.() ?? new Uint8Array())).toEqual(req);
    expect(s.checkpoint('log-a')).toEqual({ ino: 7, offset: 120 });
  });

  it('after a crash finds the rows taken but not cut, with their log position, and cuts them into the next batch', () => {
    const dir = tmp();
    const a = open(dir);
    const seq = a.nextSeq;
    a.appendRows(gpuRows(1000, 8), 8, 0);
    a.cut(header(seq));
    a.appendRows(gpuRows(2000, 8), 8, 0);
    a.appendRows(eventRows('j2'), 0, 1, { 'log-a': { ino: 7, offset: 300 } });
    // SIGKILL: `a` is never closed or cut again.
    const b = open(dir);
    expect(b.openRows).toBe(9);
    expect(b.checkpoint('log-a')).toEqual({ ino: 7, offset: 300 });
    expect(b.nextSeq).toBe(seq + 1);
    expect(b.head(5).map((x) => x.seq)).toEqual([seq]); // the cut batch, unacked, resent as is
    b.appendRows(gpuRows(3000, 8), 8, 0);
    b.cut(header(seq + 1));
    const cut = b.head(5)[1]?.load();
    expect(cut?.gpuSamples.map((g) => g.tsUnixMs)).toEqual([...Array(8).fill(2000), ...Array(8).fill(3000)]);
    expect(cut?.events).toHaveLength(1);
  });

  it('cuts off a torn tail: the rows and the position of a half-written frame are both gone', () => {
    const dir = tmp();
    const a = open(dir);
    a.appendRows(eventRows('j1'), 0, 1, { 'log-a': { ino: 7, offset: 100 } });
    const [seg] = readdirSync(dir);
    const file = join(dir, seg ?? '');
    const intact = statSync(file).size;
    a.appendRows(eventRows('j2'), 0, 1, { 'log-a': { ino: 7, offset: 200 } });
    // A power loss kept only part of the last frame.
    const whole = statSync(file).size;
    writeFileSync(file, readFileSync(file).subarray(0, whole - 5));
    const b = open(dir);
    expect(b.openRows).toBe(1);
    expect(b.checkpoint('log-a')).toEqual({ ino: 7, offset: 100 });
    expect(statSync(file).size).toBe(intact);
    // Garbage after the last frame (zeroed blocks) is cut off too, and appending goes on after it.
    appendFileSync(file, Buffer.alloc(64));
    const c = open(dir);
    c.appendRows(eventRows('j3'), 0, 1, { 'log-a': { ino: 7, offset: 300 } });
    c.cut(header(c.nextSeq));
    expect(c.head(5)[0]?.load()?.events).toHaveLength(2);
    expect(open(dir).checkpoint('log-a')).toEqual({ ino: 7, offset: 300 });
  });

  it('starts new segments, deletes acked ones, and keeps log positions and batch_seq across them', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 2048 });
    const first = a.nextSeq;
    for (let i = 0; i < 40; i++) {
      a.appendRows(gpuRows(1000 + i, 4), 4, 0, { 'log-a': { ino: 1, offset: i } });
      a.cut(header(first + i));
    }
    const segs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(segs.length).toBeGreaterThan(3);
    for (let i = 0; i < 40; i++) a.ack(first + i);
    // Every segment but the current one held only acked batches: deleted.
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([segs.at(-1)]);
    const b = open(dir, { segmentBytes: 2048 });
    expect([b.size, b.nextSeq, b.checkpoint('log-a')?.offset]).toEqual([0, first + 40, 39]);
  });

  it('does not resend a batch acked before a crash', () => {
    const dir = tmp();
    const a = open(dir);
    const seq = a.nextSeq;
    for (let i = 0; i < 3; i++) {
      a.appendRows(gpuRows(i, 1), 1, 0);
      a.cut(header(seq + i));
    }
    a.ack(seq + 1);
    expect(
      open(dir)
        .head(5)
        .map((x) => x.seq),
    ).toEqual([seq, seq + 2]);
  });

  it('moves the batches of the old file-per-batch spool over, under their seqs, and removes the old files', () => {
    const dir = tmp();
    const old = { ...header(41), gpuSamples: ExportRequest.decode(gpuRows(9, 2)).gpuSamples };
    writeLegacy(dir, old);
    writeFileSync(join(dir, 'last-seq'), '44');
    const s = open(dir);
    expect(s.head(5).map((b) => b.load())).toEqual([old]);
    expect(s.nextSeq).toBe(45);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.log'))).toEqual([]);
    expect(
      open(dir)
        .head(5)
        .map((b) => b.seq),
    ).toEqual([41]);
  });
});
