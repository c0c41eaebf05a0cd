import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportRequest } from '@renderwatch/proto';
import { describe, expect, it } from 'vitest';
import { parseSpoolFileName, spoolFileName } from './spool-legacy.js';
import { empty, gpu, host, jobEvent, open, seqs, size, T, tempDirs } from './spool-test-kit.js';

const tmp = tempDirs('rw-spool-');

/** A batch with `samples` GPU samples and `events` runtime events. */
function batch(seq: number, samples: number, events: number): ExportRequest {
  return {
    ...empty(),
    agentId: 'agent-1',
    batchSeq: seq,
    host: { ...host, driverVersion: '', cudaVersion: '', agentVersion: '' },
    gpuSamples: Array.from({ length: samples }, (_, i) => gpu(i, { tsUnixMs: T + seq * 1000 + i, index: 0, uuid: 'GPU-1' })),
    events: Array.from({ length: events }, (_, i) => jobEvent(T + seq * 1000 + i, `j${seq}-${i}`)),
  };
}

describe('spool file names', () => {
  it('round-trip seq, creation time and counts, and sort by seq as text', () => {
    const n = spoolFileName({ seq: 42, createdMs: 1_700_000_000_123, samples: 8, events: 2 });
    expect(n).toBe('0000000000000042-1700000000123-8-2.pb');
    expect(parseSpoolFileName(n)).toEqual({ seq: 42, createdMs: 1_700_000_000_123, samples: 8, events: 2 });
    expect(parseSpoolFileName('.x.tmp')).toBeUndefined();
  });
});

describe('openSpool', () => {
  it('keeps batches until acked and hands them out oldest first, byte-identical', () => {
    const s = open(tmp());
    for (const seq of [10, 11, 12]) s.append(batch(seq, 2, 1));
    expect(seqs(s)).toEqual([10, 11, 12]);
    expect(s.head(1)[0]?.load()).toEqual(batch(10, 2, 1));
    s.ack(10);
    s.ack(99);
    expect(seqs(s)).toEqual([11, 12]);
    expect(s.stats()).toMatchObject({ batches: 2, droppedSamples: 0, droppedEvents: 0 });
  });

  it('resends unacked batches with the same batch_seq after a restart and continues after the largest seq', () => {
    const dir = tmp();
    const a = open(dir);
    expect(a.nextSeq).toBe(1_700_000_000_000); // no state: the clock
    for (const seq of [500, 501, 502]) a.append(batch(seq, 1, 0));
    a.ack(500);
    // A crash mid-write of the old spool left a temp file behind: it is ignored and removed.
    writeFileSync(join(dir, '.0000000000000503-1-1-0.pb.tmp'), 'half');
    const b = open(dir);
    expect(seqs(b)).toEqual([501, 502]);
    expect(b.head(1)[0]?.load()?.gpuSamples).toEqual(batch(501, 1, 0).gpuSamples);
    expect(b.nextSeq).toBe(503);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('continues after the last seq even when every batch was acked', () => {
    const dir = tmp();
    const a = open(dir);
    a.append(batch(7000, 1, 0));
    a.ack(7000);
    expect(open(dir).nextSeq).toBe(7001);
  });

  it('when full drops the oldest samples first, strips samples from mixed batches, and drops events last', () => {
    const dir = tmp();
    // Room for exactly the first three batches.
    const maxBytes = size(batch(1, 10, 0)) + size(batch(2, 10, 2)) + size(batch(3, 10, 0));
    const s = open(dir, { maxBytes });
    s.append(batch(1, 10, 0)); // samples only
    s.append(batch(2, 10, 2)); // mixed
    s.append(batch(3, 10, 0)); // samples only
    expect(s.stats().droppedSamples).toBe(0);
    s.append(batch(4, 10, 0)); // over the limit: seq 1 (oldest samples-only) goes
    expect(seqs(s)).toEqual([2, 3, 4]);
    expect(s.stats()).toMatchObject({ droppedSamples: 10, droppedEvents: 0 });
    s.append(batch(5, 10, 0)); // seq 3 goes (samples-only before mixed)
    expect(seqs(s)).toEqual([2, 4, 5]);
    s.append(batch(6, 0, 13)); // a big events-only batch: 4 and 5 go, then seq 2 loses its samples
    expect(size(batch(2, 0, 2)) + size(batch(6, 0, 13))).toBeLessThanOrEqual(maxBytes);
    expect(size(batch(2, 10, 2)) + size(batch(6, 0, 13))).toBeGreaterThan(maxBytes);
    const kept = s.head(10).map((b) => b.load());
    expect(kept.map((r) => [r?.batchSeq, r?.gpuSamples.length, r?.events.length])).toEqual([
      [2, 0, 2],
      [6, 0, 13],
    ]);
    expect(s.stats()).toMatchObject({ droppedSamples: 50, droppedEvents: 0 });
    // After a restart the stripped batch is still there under its seq.
    expect(seqs(open(dir, { maxBytes }))).toEqual([2, 6]);
  });

  it('drops events only when nothing but events is left', () => {
    const s = open(tmp(), { maxBytes: ExportRequest.encode(batch(1, 0, 10)).finish().length * 2 });
    for (const seq of [1, 2, 3]) s.append(batch(seq, 0, 10));
    expect(seqs(s)).toEqual([2, 3]);
    expect(s.stats()).toMatchObject({ droppedSamples: 0, droppedEvents: 10 });
  });

  it('drops batches older than the age limit, counting them', () => {
    let t = 1_000_000;
    const s = open(tmp(), { maxAgeMs: 60_000, now: () => t });
    s.append(batch(1, 3, 1));
    t += 30_000;
    s.append(batch(2, 3, 0));
    t += 40_000;
    expect(seqs(s)).toEqual([2]);
    expect(s.stats()).toMatchObject({ droppedSamples: 3, droppedEvents: 1 });
  });
  it('drops a batch whose frames are no longer intact, counts it, and never hands it out again', () => {
    const dir = tmp();
    const s = open(dir);
    for (const seq of [1, 2, 3]) s.append(batch(seq, 2, 1));
    const [seg] = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const file = join(dir, seg ?? '');
    // Flip one byte inside batch 2's frame (the second BATCH frame): its crc no longer matches.
    const data = readFileSync(file);
    const second = data.indexOf(Buffer.from('j2-0'));
    data[second] = 0x58;
    writeFileSync(file, data);
    const [b1, b2, b3] = s.head(3);
    expect(b1?.load()).toEqual(batch(1, 2, 1));
    expect(b2?.load()).toBeUndefined();
    expect(b3?.load()).toEqual(batch(3, 2, 1));
    expect(seqs(s)).toEqual([1, 3]);
    expect(s.stats()).toMatchObject({ batches: 2, droppedSamples: 2, droppedEvents: 1 });
  });
});
